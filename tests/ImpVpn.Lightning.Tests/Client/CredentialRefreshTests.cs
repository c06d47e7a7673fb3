using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;

namespace ImpVpn.Lightning.Tests.Client;

/// <summary>LND regenerates tls.cert (tlsautorefresh, a deleted certificate) and operators bake new macaroons: a node
/// opened from files reads them again when a call fails on them, and makes that call once more.</summary>
public sealed class CredentialRefreshTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_certificate_that_changed_on_disk_is_read_again_and_the_call_made_once_more()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var cert = Path.Combine(net.Folder, "copied-tls.cert");
        // The node was opened while the file held a certificate the node no longer presents.
        File.Copy(net["bob"].TlsCertPath, cert);
        await using var alice = LndNode.Create(LndConnectionOptions.FromFiles(net["alice"].RpcAddress, cert, net["alice"].MacaroonPath, "regtest"));

        await Assert.ThrowsAsync<CertificateMismatchException>(() => alice.GetInfoAsync(None));
        File.Copy(net["alice"].TlsCertPath, cert, overwrite: true);

        Assert.Equal(net["alice"].PubKey, (await alice.GetInfoAsync(None)).IdentityPubKey);
    }

    [Fact]
    public async Task A_macaroon_that_changed_on_disk_is_read_again_and_the_call_made_once_more_and_never_shown()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var macaroon = Path.Combine(net.Folder, "copied.macaroon");
        File.Copy(net["bob"].MacaroonPath, macaroon);
        await using var alice = LndNode.Create(LndConnectionOptions.FromFiles(net["alice"].RpcAddress, net["alice"].TlsCertPath, macaroon, "regtest"));

        var refused = await Assert.ThrowsAsync<MacaroonException>(() => alice.GetInfoAsync(None));
        Assert.Equal(MacaroonProblem.Refused, refused.Reason);
        File.Copy(net["alice"].MacaroonPath, macaroon, overwrite: true);

        Assert.Equal(net["alice"].PubKey, (await alice.GetInfoAsync(None)).IdentityPubKey);
        var hex = Convert.ToHexString(await File.ReadAllBytesAsync(macaroon)).ToLowerInvariant();
        Assert.DoesNotContain(hex, alice.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Files_that_did_not_change_leave_the_failure_as_it_was()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        await using var alice = LndNode.Create(LndConnectionOptions.FromFiles(net["alice"].RpcAddress, net["alice"].TlsCertPath, net["bob"].MacaroonPath, "regtest"));

        await Assert.ThrowsAsync<MacaroonException>(() => alice.GetInfoAsync(None));
        await Assert.ThrowsAsync<MacaroonException>(() => alice.GetInfoAsync(None));
    }

    [Fact]
    public async Task A_stream_refused_on_a_changed_macaroon_is_started_again_with_the_new_one()
    {
        await using var net = await TestNetwork.StartAsync("alice", "bob");
        var macaroon = Path.Combine(net.Folder, "copied.macaroon");
        File.Copy(net["bob"].MacaroonPath, macaroon);
        await using var alice = LndNode.Create(LndConnectionOptions.FromFiles(net["alice"].RpcAddress, net["alice"].TlsCertPath, macaroon, "regtest"));
        File.Copy(net["alice"].MacaroonPath, macaroon, overwrite: true);

        // A payment never made: TrackPaymentV2 answers NotFound once the stream is accepted.
        Assert.Null(await alice.TrackPaymentAsync(new byte[32], waitForFinal: false, None));
    }
}
