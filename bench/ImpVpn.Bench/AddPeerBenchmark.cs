using System.Diagnostics;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>What one more customer costs a seller: adding (and removing) one peer on a wireguard-go device that
/// already has 1,000 and 10,000 peers (issue 12), through ImpVpn's client. Changes are incremental, so this should
/// not grow with the number of peers; the 0-peer row is there to compare.</summary>
internal sealed class AddPeerBenchmark : IBenchmark
{
    private const int Samples = 200;

    public string Name => "wireguard-add-peer";

    public string Description =>
        $"Time to add one peer to, and remove one peer from, a wireguard-go device through ImpVpn's device client (WireGuardHost.Devices, UAPI), {Samples} samples each, with 0, 1,000 and 10,000 existing peers (each a /32 allowed IP and a keepalive, as a seller's buyers have).";

    public string? CannotRunBecause() => RealTunnelRequirement.Missing();

    public async Task RunAsync(BenchReport report)
    {
        using var pair = NetworkNamespacePair.Create();
        var client = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var device = "ivbP" + pair.Tag;
        using var key = WireGuardPrivateKey.Generate();
        await client.Links.CreateInterfaceAsync(device, new InterfaceOptions { PrivateKey = key, Addresses = [IpPrefix.Parse("10.64.0.1/10")] }, CancellationToken.None);
        try
        {
            await MeasureAsync(report, client, device, existing: 0, firstAddress: 100_000);
            await FillAsync(client, device, 0, 1000);
            await MeasureAsync(report, client, device, existing: 1000, firstAddress: 200_000);
            var filling = Stopwatch.StartNew();
            await FillAsync(client, device, 1000, 10_000);
            filling.Stop();
            await MeasureAsync(report, client, device, existing: 10_000, firstAddress: 300_000);
            var watch = Stopwatch.StartNew();
            var count = (await client.Devices.GetDeviceAsync(device, CancellationToken.None))!.Peers.Count;
            report.Note($"The device held {count:N0} peers after the run (10,000 expected): removals undid every add. Adding the 9,000 peers " +
                $"from 1,000 to 10,000, 100 to a UAPI message: {filling.Elapsed.TotalSeconds:0.0} s. Reading the whole device back once at 10,000 peers " +
                $"(UAPI get, what a client that lists the device per change would pay each time): {watch.Elapsed.TotalMilliseconds:0} ms.");
        }
        finally
        {
            await client.Links.DeleteInterfaceAsync(device, CancellationToken.None);
        }
    }

    private static async Task FillAsync(WireGuardHost client, string device, int from, int to)
    {
        var peers = Enumerable.Range(from, to - from).Select(i => Peer(i)).ToList();
        // Filled in chunks: one UAPI message per 100 peers keeps the set-up fast and the message small.
        foreach (var chunk in peers.Chunk(100))
        {
            await client.Devices.ConfigureDeviceAsync(device, new DeviceConfig { Peers = chunk }, CancellationToken.None);
        }
    }

    private static async Task MeasureAsync(BenchReport report, WireGuardHost client, string device, int existing, int firstAddress)
    {
        var adds = new List<TimeSpan>();
        var removes = new List<TimeSpan>();
        for (var i = 0; i < Samples + 10; i++)
        {
            var peer = Peer(firstAddress + i);
            var watch = Stopwatch.StartNew();
            await client.Devices.ConfigureDeviceAsync(device, new DeviceConfig { Peers = [peer] }, CancellationToken.None);
            var added = watch.Elapsed;
            watch.Restart();
            await client.Devices.ConfigureDeviceAsync(device, new DeviceConfig { Peers = [PeerConfig.Removal(peer.PublicKey)] }, CancellationToken.None);
            var removed = watch.Elapsed;
            if (i >= 10)
            {
                // The first ten are warm-up (JIT, socket paths).
                adds.Add(added);
                removes.Add(removed);
            }
        }

        report.Add($"add one peer, {existing:N0} existing", adds);
        report.Add($"remove one peer, {existing:N0} existing", removes);
    }

    private static PeerConfig Peer(int index) => new(WireGuardPrivateKey.Generate().PublicKey)
    {
        AllowedIps = [IpPrefix.Parse($"10.{64 + ((index >> 16) & 63)}.{(index >> 8) & 255}.{index & 255}/32")],
        PersistentKeepalive = TimeSpan.FromSeconds(25),
    };
}
