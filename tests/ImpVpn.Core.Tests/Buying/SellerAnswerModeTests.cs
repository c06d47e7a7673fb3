using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>What an activate may carry depends on the mode bought: an exit's routes and resolvers, a port forward's
/// public port. Each field is taken only for the mode it belongs to, and only in a form this machine can use.</summary>
public sealed class SellerAnswerModeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string SellerKey = WireGuardPrivateKey.Generate().PublicKey.ToBase64();
    private static readonly FakeLocalNetwork Machine = FakeLocalNetwork.Typical(new Dictionary<string, string[]>());

    private static BoughtContract Bought(TunnelMode mode) => BoughtContractTests.Paying() with { Mode = TunnelOfferVocabulary.WireName(mode) };

    private static ActivateResponse Answer(IReadOnlyList<string> allowedIps, IReadOnlyList<string>? dns = null, string? forwarded = null) =>
        new("c1", SellerKey, "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", allowedIps, Now.AddHours(1).ToUnixTimeSeconds(), dns, forwarded);

    [Fact]
    public void An_exit_routes_the_whole_family_and_keeps_its_resolvers()
    {
        var tunnel = SellerAnswerCheck.RequireTunnel(Answer(["0.0.0.0/0"], ["10.77.0.1", "198.51.100.53"]), Bought(TunnelMode.Exit), Now, Machine);

        Assert.Equal(["0.0.0.0/0"], tunnel.AllowedIps);
        Assert.Equal(["10.77.0.1", "198.51.100.53"], tunnel.Resolvers);
        Assert.Null(tunnel.ForwardedEndpoint);
    }

    [Fact]
    public void A_port_forward_keeps_its_public_port()
    {
        var tunnel = SellerAnswerCheck.RequireTunnel(Answer(["0.0.0.0/0"], forwarded: "198.51.100.7:40001"), Bought(TunnelMode.PortForward), Now, Machine);

        Assert.Equal("198.51.100.7:40001", tunnel.ForwardedEndpoint);
        Assert.Empty(tunnel.Resolvers!);
    }

    [Fact]
    public void A_contract_stored_before_modes_is_node_to_node()
    {
        Assert.Equal(TunnelMode.NodeToNode, (BoughtContractTests.Paying() with { Mode = string.Empty }).TunnelMode);
        Assert.Equal(["10.77.0.1/32"], SellerAnswerCheck.RequireTunnel(Answer(["10.77.0.1/32"]), Bought(TunnelMode.NodeToNode), Now, Machine).AllowedIps);
    }

    public static TheoryData<string, TunnelMode, ActivateResponse> Lies => new()
    {
        { "everything routed for a node-to-node tunnel", TunnelMode.NodeToNode, Answer(["0.0.0.0/0"]) },
        { "resolvers for a node-to-node tunnel", TunnelMode.NodeToNode, Answer(["10.77.0.1/32"], ["10.77.0.1"]) },
        { "a public port for a node-to-node tunnel", TunnelMode.NodeToNode, Answer(["10.77.0.1/32"], forwarded: "198.51.100.7:40001") },
        { "only the seller routed for an exit", TunnelMode.Exit, Answer(["10.77.0.1/32"]) },
        { "the other family routed for an exit", TunnelMode.Exit, Answer(["::/0"]) },
        { "a LAN beside the default route", TunnelMode.Exit, Answer(["0.0.0.0/0", "192.168.0.0/16"]) },
        { "a loopback resolver", TunnelMode.Exit, Answer(["0.0.0.0/0"], ["127.0.0.53"]) },
        { "a resolver of this machine", TunnelMode.Exit, Answer(["0.0.0.0/0"], ["192.168.1.20"]) },
        { "a resolver of the other family", TunnelMode.Exit, Answer(["0.0.0.0/0"], ["2001:db8::53"]) },
        { "a resolver with a line break", TunnelMode.Exit, Answer(["0.0.0.0/0"], ["10.77.0.1\nnameserver 6.6.6.6"]) },
        { "too many resolvers", TunnelMode.Exit, Answer(["0.0.0.0/0"], ["10.77.0.1", "10.77.0.3", "10.77.0.4", "10.77.0.5"]) },
        { "a public port for an exit", TunnelMode.Exit, Answer(["0.0.0.0/0"], forwarded: "198.51.100.7:40001") },
        { "no public port for a port forward", TunnelMode.PortForward, Answer(["0.0.0.0/0"]) },
        { "a public port on loopback", TunnelMode.PortForward, Answer(["0.0.0.0/0"], forwarded: "127.0.0.1:9735") },
        { "a public port without a port", TunnelMode.PortForward, Answer(["0.0.0.0/0"], forwarded: "198.51.100.7") },
        { "a public port with a shell character", TunnelMode.PortForward, Answer(["0.0.0.0/0"], forwarded: "seller.example;reboot:9735") },
        { "resolvers for a port forward", TunnelMode.PortForward, Answer(["0.0.0.0/0"], ["10.77.0.1"], "198.51.100.7:40001") },
    };

    [Theory]
    [MemberData(nameof(Lies))]
    public void A_field_of_another_mode_or_form_is_refused(string lie, TunnelMode mode, ActivateResponse answer)
    {
        var error = Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireTunnel(answer, Bought(mode), Now, Machine));

        Assert.True(error.Error == PurchaseError.SellerAnswerRefused, lie);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }
}
