using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using ImpVpn.Api.Rpc.Extras;
using ImpVpn.Api.Rpc.Vpn;

namespace ImpVpn.Daemon.Tests;

/// <summary>The API's token: made owner-only; a call without it or with another is refused (HTTP 401, gRPC
/// Unauthenticated) before anything is asked of a seller or paid.</summary>
public sealed class ApiAuthenticationTests
{
    [Fact]
    public async Task Calls_without_the_token_or_with_a_wrong_one_are_refused_and_do_nothing()
    {
        await using var api = await ApiDaemon.StartAsync();
        var bob = api.Net.BobPubKey;
        var tokenPath = Path.Combine(api.Net.StorePath("alice"), "keys", "api.token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenPath));
        Assert.Equal(64, api.Token.Length);
        var before = api.Net.AliceMsat;

        using var anonymous = new HttpClient { BaseAddress = api.Http.BaseAddress };
        using var wrong = new HttpClient { BaseAddress = api.Http.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", new string('0', 64));
        using var truncated = new HttpClient { BaseAddress = api.Http.BaseAddress };
        truncated.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token[..63]);
        foreach (var client in new[] { anonymous, wrong, truncated })
        {
            var (status, _) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{bob}}"}""", client);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            (status, _) = await api.GetAsync("v1/vpn/tunnels", client);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }

        // Refused before the body is read: a form body, or a path that does not exist, is still a 401.
        using (var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("pubkey", bob)]))
        using (var response = await anonymous.PostAsync(new Uri("v1/vpn/quote", UriKind.Relative), form))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("v1/nothing/here", wrong)).Status);

        var vpn = new VPN.VPNClient(api.Channel);
        var none = await Assert.ThrowsAsync<RpcException>(async () => await vpn.RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        var other = await Assert.ThrowsAsync<RpcException>(async () =>
            await vpn.RequestQuoteAsync(new RequestQuoteRequest { Pubkey = bob }, new Metadata { { "authorization", "Bearer " + new string('f', 64) } }));
        Assert.Equal(StatusCode.Unauthenticated, other.StatusCode);
        var extras = new VpnExtras.VpnExtrasClient(api.Channel);
        using var stream = extras.SubscribeEvents(new SubscribeEventsRequest());
        var streamed = await Assert.ThrowsAsync<RpcException>(async () => await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, streamed.StatusCode);

        // Nothing happened: no quote was asked for (no event, even after a quote with the token has come and gone),
        // nothing paid, and the token is in no log line.
        var (okStatus, okBody) = await api.PostAsync("v1/vpn/quote", $$"""{"pubkey":"{{bob}}"}""");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        await api.EventAsync("quote_received", okBody.GetProperty("id").GetString()!);
        var events = await extras.ListEventsAsync(new ListEventsRequest(), api.Credentials);
        Assert.Single(events.Events);
        Assert.Equal(before, api.Net.AliceMsat);
        Assert.DoesNotContain(api.Token, api.Daemon.Output, StringComparison.OrdinalIgnoreCase);
    }
}
