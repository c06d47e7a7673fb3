using System.Net;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.Tests.Buying;

/// <summary>A seller's answer reaches this machine's interfaces, routes and files only when every field is one the
/// machine can use as it is: each lie below is refused.</summary>
public sealed class SellerAnswerCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string SellerKey = WireGuardPrivateKey.Generate().PublicKey.ToBase64();
    private static readonly BoughtContract Contract = BoughtContractTests.Paying();

    private static ActivateResponse Honest() =>
        new("c1", SellerKey, "192.0.2.1:51820", "10.77.0.2", "10.77.0.1", ["10.77.0.1/32"], Now.AddHours(1).ToUnixTimeSeconds());

    [Fact]
    public void An_honest_answer_passes_as_it_is()
    {
        var tunnel = SellerAnswerCheck.RequireTunnel(Honest(), Contract, Now);

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
        { "a host name where an address belongs", Honest() with { Endpoint = "seller.example:51820" } },
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
        var error = Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireTunnel(answer, Contract, Now));

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
    public void An_assigned_address_this_machine_cannot_take_is_refused_before_paying(string address)
    {
        var local = new[] { IPAddress.Parse("10.0.0.7") };

        var error = Assert.Throws<PurchaseException>(() => SellerAnswerCheck.RequireBuyerTunnelAddress(address, local));

        Assert.Equal(PurchaseError.SellerAnswerRefused, error.Error);
        Assert.Contains("Nothing was paid", error.Message);
    }

    [Fact]
    public void A_fresh_private_address_is_accepted()
    {
        SellerAnswerCheck.RequireBuyerTunnelAddress("10.77.0.2", [IPAddress.Parse("10.0.0.7")]);
        SellerAnswerCheck.RequireBuyerTunnelAddress("fd77::2", [IPAddress.Parse("10.0.0.7")]);
    }
}
