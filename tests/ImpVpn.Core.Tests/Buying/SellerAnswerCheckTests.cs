using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Tests.Fakes;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A seller's answer reaches this machine's interfaces, routes and files only when every field is one the
/// machine can use as it is: each lie below is refused.</summary>
public sealed class SellerAnswerCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string SellerKey = WireGuardPrivateKey.Generate().PublicKey.ToBase64();
    private static readonly BoughtContract Contract = BoughtContractTests.Paying();

    private static readonly FakeLocalNetwork Machine = FakeLocalNetwork.Typical(new Dictionary<string, string[]>
    {
        ["seller.example"] = ["192.0.2.1", "2001:db8::1"],
        ["loops.example"] = ["192.0.2.1", "127.0.0.1"],
        ["home.example"] = ["192.168.1.20"],
        ["multi.example"] = ["ff02::1"],
    });

    private static ActivateResponse Honest() =>
        new("c1", SellerKey, "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", ["10.77.0.1/32"], Now.AddHours(1).ToUnixTimeSeconds());

    [Fact]
    public void A_buyer_address_in_another_24_of_the_sellers_16_is_taken()
    {
        // A seller with more than 253 buyers hands out addresses beyond its own /24.
        Assert.Null(TunnelPlacement.SellerAddressProblem(System.Net.IPAddress.Parse("10.77.0.1"), System.Net.IPAddress.Parse("10.77.39.16"), Machine, null));
        Assert.NotNull(TunnelPlacement.SellerAddressProblem(System.Net.IPAddress.Parse("10.77.0.1"), System.Net.IPAddress.Parse("10.78.39.16"), Machine, null));
    }

    [Fact]
    public void An_honest_answer_passes_as_it_is()
    {
        var tunnel = SellerAnswerCheck.RequireTunnel(Honest(), Contract, Now, Machine);

        Assert.Equal(("192.0.2.1:51820", "10.77.0.2", "10.77.0.1"), (tunnel.Endpoint, tunnel.BuyerTunnelAddress, tunnel.SellerTunnelAddress));
        Assert.Equal(["10.77.0.1/32"], tunnel.AllowedIps);
    }

    public static TheoryData<string, ActivateResponse> Lies => new()
    {
        { "a route to everything", Honest() with { AllowedIps = ["0.0.0.0/0"] } },
        { "a route to everything, IPv6", Honest() with { AllowedIps = ["::/0"] } },
        { "the buyer's own LAN", Honest() with { AllowedIps = ["10.77.0.1/32", "10.99.0.0/24"] } },
        { "no route at all", Honest() with { AllowedIps = [] } },
        { "an endpoint on loopback", Honest() with { Endpoint = "127.0.0.1:22" } },
        { "an endpoint on multicast", Honest() with { Endpoint = "224.0.0.1:51820" } },
        { "an unspecified endpoint", Honest() with { Endpoint = "0.0.0.0:51820" } },
        { "a line break into the wg-quick file", Honest() with { Endpoint = "192.0.2.1:51820\nPostUp = touch /tmp/owned" } },
        { "a host name that resolves to nothing", Honest() with { Endpoint = "unknown.example:51820" } },
        { "a host name that may resolve to loopback", Honest() with { Endpoint = "loops.example:51820" } },
        { "a host name of this machine", Honest() with { Endpoint = "home.example:51820" } },
        { "a host name that resolves to multicast", Honest() with { Endpoint = "multi.example:51820" } },
        { "a host name with a hyphen at a label's edge", Honest() with { Endpoint = "-seller.example:51820" } },
        { "a host name with an empty label", Honest() with { Endpoint = "seller..example:51820" } },
        { "a host name with an underscore", Honest() with { Endpoint = "sel_ler.example:51820" } },
        { "a host name with a shell character", Honest() with { Endpoint = "seller.example;reboot:51820" } },
        { "a port out of range", Honest() with { Endpoint = "seller.example:70000" } },
        { "an address in shorthand", Honest() with { Endpoint = "3221225985:51820" } },
        { "an endpoint on this machine", Honest() with { Endpoint = "192.168.1.20:51820" } },
        { "a public tunnel address for the seller", Honest() with { SellerTunnelAddress = "8.8.8.8", AllowedIps = ["8.8.8.8/32"] } },
        { "a seller address outside the buyer's /16", Honest() with { SellerTunnelAddress = "10.78.0.1", AllowedIps = ["10.78.0.1/32"] } },
        { "no port", Honest() with { Endpoint = "192.0.2.1" } },
        { "a malformed key", Honest() with { SellerWireGuardKey = "not-a-key" } },
        { "another buyer address than accepted", Honest() with { BuyerTunnelAddress = "10.77.0.9" } },
        { "a loopback seller address", Honest() with { SellerTunnelAddress = "127.0.0.1", AllowedIps = ["127.0.0.1/32"] } },
        { "the buyer's address as the seller's", Honest() with { SellerTunnelAddress = "10.77.0.2", AllowedIps = ["10.77.0.2/32"] } },
        { "an expiry already past", Honest() with { ExpiresAt = Now.AddSeconds(-1).ToUnixTimeSeconds() } },
        { "an expiry years away", Honest() with { ExpiresAt = Now.AddYears(5).ToUnixTimeSeconds() } },
    };

    [Theory]
    [MemberData(nameof(Lies))]
    public void A_lying_answer_is_refused(string lie, ActivateResponse answer)
    {
        var error = Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireTunnel(answer, Contract, Now, Machine));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(string.IsNullOrEmpty(lie));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.1.1")]
    [InlineData("224.0.0.5")]
    [InlineData("0.0.0.0")]
    [InlineData("fe80::1")]
    [InlineData("10")]
    [InlineData("10.77.0.2 ")]
    [InlineData("10.0.0.7")]
    [InlineData("10.0.0.99")]
    [InlineData("192.168.1.77")]
    [InlineData("8.8.8.8")]
    [InlineData("2001:db8::2")]
    public void An_assigned_address_this_machine_cannot_take_is_refused_before_paying(string address)
    {
        var error = Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireBuyerTunnelAddress(address, Machine));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.Contains("Nothing was paid", error.Message);
    }

    [Fact]
    public void A_fresh_private_address_is_accepted()
    {
        SellerAnswerCheck.RequireBuyerTunnelAddress("10.77.0.2", Machine);
        SellerAnswerCheck.RequireBuyerTunnelAddress("fd77::2", Machine);
        SellerAnswerCheck.RequireBuyerTunnelAddress("100.64.3.2", Machine);
    }

    [Fact]
    public void A_host_name_endpoint_is_kept_as_the_address_it_resolves_to()
    {
        var tunnel = SellerAnswerCheck.RequireTunnel(Honest() with { Endpoint = "Seller.Example:51820" }, Contract, Now, Machine);

        Assert.Equal("192.0.2.1:51820", tunnel.Endpoint);
    }

    [Fact]
    public void The_tunnels_own_interface_routes_do_not_count_against_it()
    {
        // Fetching an active tunnel's configuration again: its interface already routes the seller's address.
        var up = new FakeLocalNetwork(["10.77.0.2"], ["10.77.0.1/32 " + Contract.InterfaceName, "10.77.0.2/32 " + Contract.InterfaceName]);

        SellerAnswerCheck.RequireTunnel(Honest(), Contract, Now, up);
    }

    [Fact]
    public void Another_interfaces_route_to_the_sellers_address_is_a_collision()
    {
        var taken = new FakeLocalNetwork([], ["10.77.0.0/24 ivpnother"]);

        var error = Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireTunnel(Honest(), Contract, Now, taken));

        Assert.Contains("route 10.77.0.0/24 via ivpnother", error.Message);
    }

    [Fact]
    public void IPv6_tunnel_addresses_share_one_64()
    {
        var contract = Contract with { BuyerTunnelAddress = "fd77::2" };
        var honest = Honest() with { BuyerTunnelAddress = "fd77::2", SellerTunnelAddress = "fd77::1", AllowedIps = ["fd77::1/128"] };

        Assert.Equal(["fd77::1/128"], SellerAnswerCheck.RequireTunnel(honest, contract, Now, Machine).AllowedIps);
        Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireTunnel(
            honest with { SellerTunnelAddress = "fd77:0:0:1::1", AllowedIps = ["fd77:0:0:1::1/128"] }, contract, Now, Machine));
    }
}
