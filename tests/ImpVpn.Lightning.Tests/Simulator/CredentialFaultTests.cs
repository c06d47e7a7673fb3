using Grpc.Core;
using ImpVpn.Lnd.Rpc.Lnrpc;

namespace ImpVpn.Lightning.Tests.Simulator;

/// <summary>tls.cert regeneration and macaroon rotation: the old credential stops working, the new file works.</summary>
public sealed class CredentialFaultTests
{
    [Fact]
    public async Task After_tls_regeneration_a_client_pinned_to_the_old_cert_fails_and_one_reading_the_new_file_works()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var node = net["alice"];
        var oldPem = File.ReadAllText(node.TlsCertPath);
        var port = node.Port;
        using var pinned = RawLnd.Connect(node);
        await pinned.Lightning.GetInfoAsync(new GetInfoRequest());

        await node.RegenerateTlsAsync();

        Assert.NotEqual(oldPem, File.ReadAllText(node.TlsCertPath));
        Assert.Equal(port, node.Port);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await pinned.Lightning.GetInfoAsync(new GetInfoRequest()));
        // The pin check fails the TLS handshake; grpc-dotnet reports a failed handshake as Internal.
        Assert.Equal(StatusCode.Internal, refused.StatusCode);
        Assert.Contains("remote certificate was rejected", refused.Status.Detail);
        using var reread = RawLnd.Connect(node);
        Assert.Equal("alice", (await reread.Lightning.GetInfoAsync(new GetInfoRequest())).Alias);
    }

    [Fact]
    public async Task After_macaroon_rotation_the_old_macaroon_is_refused_and_the_new_file_works()
    {
        await using var net = await TestNetwork.StartAsync("alice");
        var node = net["alice"];
        var oldMacaroon = File.ReadAllBytes(node.MacaroonPath);
        using var old = RawLnd.Connect(node);
        await old.Lightning.GetInfoAsync(new GetInfoRequest());

        node.RotateMacaroon();

        Assert.False(oldMacaroon.AsSpan().SequenceEqual(File.ReadAllBytes(node.MacaroonPath)));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await old.Lightning.GetInfoAsync(new GetInfoRequest()));
        Assert.Equal(StatusCode.Unknown, refused.StatusCode);
        Assert.Contains("verification failed", refused.Status.Detail);
        using var reread = RawLnd.Connect(node);
        Assert.Equal("alice", (await reread.Lightning.GetInfoAsync(new GetInfoRequest())).Alias);
    }
}
