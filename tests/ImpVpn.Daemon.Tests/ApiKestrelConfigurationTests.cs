using System.Net;
using System.Net.Sockets;

namespace ImpVpn.Daemon.Tests;

/// <summary>Only the checked endpoints are served: a Kestrel endpoint given through the environment (an address
/// beyond loopback without TLS, which Api.Listen would refuse) is not listened on.</summary>
public sealed class ApiKestrelConfigurationTests
{
    [Fact]
    public async Task An_endpoint_from_the_environment_is_not_listened_on()
    {
        var extra = ApiDaemon.FreePort();
        await using var api = await ApiDaemon.StartAsync(environment: new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Extra__Url"] = $"http://0.0.0.0:{extra}",
        });

        // The API itself is up (a call with the token answers) ...
        var (status, _) = await api.GetAsync("v1/vpn/events");
        Assert.Equal(HttpStatusCode.OK, status);

        // ... and nothing accepts connections on the extra port.
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(IPAddress.Loopback, extra));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
