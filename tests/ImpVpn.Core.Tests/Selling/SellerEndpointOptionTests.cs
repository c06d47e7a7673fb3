using ImpVpn.Core.Selling;

namespace ImpVpn.Core.Tests.Selling;

/// <summary>The seller's own -Endpoint, checked before it starts with the grammar buyers read it with: an IP address
/// or an RFC 1123 host name (dynamic DNS), and a port; nothing buyers would refuse.</summary>
public sealed class SellerEndpointOptionTests
{
    [Theory]
    [InlineData("203.0.113.5:51820", "203.0.113.5:51820")]
    [InlineData("[2001:db8::1]:51820", "[2001:db8::1]:51820")]
    [InlineData("vpn.example.net:51820", "vpn.example.net:51820")]
    [InlineData("VPN.Example.NET:51820", "vpn.example.net:51820")]
    [InlineData("my-home.dyndns.org:443", "my-home.dyndns.org:443")]
    [InlineData("seller:51820", "seller:51820")]
    public void An_ip_address_or_a_host_name_with_a_port_is_taken(string given, string kept) =>
        Assert.Equal(kept, SellerOptions.ValidEndpoint(given));

    [Theory]
    [InlineData("nonsense")]
    [InlineData("vpn.example.net")]
    [InlineData("vpn.example.net:0")]
    [InlineData("vpn.example.net:65536")]
    [InlineData("-vpn.example.net:51820")]
    [InlineData("vpn_example.net:51820")]
    [InlineData("vpn.example.net.:51820")]
    [InlineData("vpn..example.net:51820")]
    [InlineData("10.0.0:51820")]
    [InlineData("10:80")]
    [InlineData("203.0.113.5")]
    [InlineData("203.0.113.5:0")]
    [InlineData("2001:db8::1:51820")]
    [InlineData("vpn.example.net:51820\n")]
    [InlineData("vpn.example.net :51820")]
    public void Anything_else_is_refused(string given)
    {
        var error = Assert.Throws<ArgumentException>(() => SellerOptions.ValidEndpoint(given));
        Assert.Contains("not an endpoint buyers can use", error.Message);
    }

    [Fact]
    public void A_name_longer_than_dns_allows_is_refused() =>
        Assert.Throws<ArgumentException>(() => SellerOptions.ValidEndpoint(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ":51820"));

    [Theory]
    [InlineData("127.0.0.1:51820")]
    [InlineData("0.0.0.0:51820")]
    [InlineData("[::1]:51820")]
    [InlineData("[::]:51820")]
    [InlineData("169.254.1.1:51820")]
    [InlineData("224.0.0.1:51820")]
    [InlineData("[fe80::1]:51820")]
    [InlineData("localhost:51820")]
    [InlineData("vpn.localhost:51820")]
    public void What_buyers_would_refuse_as_a_sellers_endpoint_is_refused_before_the_seller_starts(string given)
    {
        var error = Assert.Throws<ArgumentException>(() => SellerOptions.ValidEndpoint(given));
        Assert.Contains("buyers", error.Message);
    }
}
