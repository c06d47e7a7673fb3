using System.Diagnostics;
using System.Net;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>How long a fresh tunnel takes to come alive: from the moment the buyer's side is given its peer
/// (with a keepalive, which makes wireguard-go send at once) until ImpVpn's client reads a handshake back.
/// Also the whole bring-up (two interfaces created, both peers set) for context.</summary>
internal sealed class HandshakeBenchmark : IBenchmark
{
    private const int Samples = 10;

    public string Name => "wireguard-handshake";

    public string Description =>
        $"Fresh namespace pair per sample ({Samples} samples), wireguard-go on both sides set up by ImpVpn's WireGuardHost (Links, then Devices); handshake seen by polling Devices.GetDeviceAsync every 2 ms.";

    public string? CannotRunBecause() => RealTunnelRequirement.Missing();

    public async Task RunAsync(BenchReport report)
    {
        var handshakes = new List<TimeSpan>();
        var bringUps = new List<TimeSpan>();
        for (var i = 0; i < Samples; i++)
        {
            var (bringUp, handshake) = await MeasureOnceAsync();
            bringUps.Add(bringUp);
            handshakes.Add(handshake);
        }

        report.Add("peer configured → first handshake read back", handshakes);
        report.Add("create both interfaces and peers (bring-up)", bringUps);
    }

    private static async Task<(TimeSpan BringUp, TimeSpan Handshake)> MeasureOnceAsync()
    {
        using var pair = NetworkNamespacePair.Create();
        var a = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var b = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        using var keyA = WireGuardPrivateKey.Generate();
        using var keyB = WireGuardPrivateKey.Generate();
        string wgA = "ivhA" + pair.Tag, wgB = "ivhB" + pair.Tag;
        var none = CancellationToken.None;
        var bringUp = Stopwatch.StartNew();
        await a.Links.CreateInterfaceAsync(wgA, new InterfaceOptions { PrivateKey = keyA, ListenPort = 51820, Addresses = [IpPrefix.Parse("10.210.0.1/24")] }, none);
        await b.Links.CreateInterfaceAsync(wgB, new InterfaceOptions { PrivateKey = keyB, ListenPort = 51820, Addresses = [IpPrefix.Parse("10.210.0.2/24")] }, none);
        await b.Devices.ConfigureDeviceAsync(wgB, new DeviceConfig { Peers = [new PeerConfig(keyA.PublicKey) { AllowedIps = [IpPrefix.Parse("10.210.0.1/32")] }] }, none);
        var handshake = Stopwatch.StartNew();
        await a.Devices.ConfigureDeviceAsync(wgA, new DeviceConfig
        {
            Peers = [new PeerConfig(keyB.PublicKey)
            {
                Endpoint = IPEndPoint.Parse(pair.UnderlayB + ":51820"),
                PersistentKeepalive = TimeSpan.FromSeconds(25),
                AllowedIps = [IpPrefix.Parse("10.210.0.2/32")],
            }],
        }, none);
        var configured = bringUp.Elapsed;
        while ((await a.Devices.GetDeviceAsync(wgA, none))!.Peers[0].LastHandshake is null)
        {
            if (handshake.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("No handshake within 30 s.");
            }

            await Task.Delay(2);
        }

        var handshakeTime = handshake.Elapsed;
        await a.Links.DeleteInterfaceAsync(wgA, none);
        await b.Links.DeleteInterfaceAsync(wgB, none);
        return (configured, handshakeTime);
    }
}
