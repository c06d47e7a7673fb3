using System.Net;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>The API over TLS with the certificate the daemon makes (Api.SelfSignedTls): certificate and key
/// owner-only in the store, one port serving HTTP/JSON (HTTP/1.1) and gRPC (HTTP/2) by ALPN, a client pinning the
/// certificate gets a quote both ways; a plaintext request to the port gets no answer.</summary>
public sealed class ApiTlsTests
{
    [Fact]
    public async Task With_its_self_signed_certificate_one_port_serves_json_and_grpc()
    {
        await using var api = await ApiDaemon.StartAsync(tls: true);
        var keys = Path.Combine(api.Net.StorePath("alice"), "keys");
        foreach (var file in new[] { "api-tls.cert", "api-tls.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(keys, file)));
        }

        var bob = api.Net.BobPubKey;
        var (status, body) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{bob}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        await api.EventAsync("quote_received", body.GetProperty("id").GetString()!);
        var grpcId = (await new VPN.VPNClient(api.Channel).RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }, api.Credentials)).Id;
        await api.EventAsync("quote_received", grpcId);

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api.HttpPort}/") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri("v1/vpn/events", UriKind.Relative)));
    }
}
