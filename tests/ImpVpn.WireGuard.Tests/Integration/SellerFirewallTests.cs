using System.Net;
using ImpVpn.Core.WireGuard.Links.Linux;
using ImpVpn.Core.WireGuard.Platform;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.TestSupport;

namespace ImpVpn.WireGuard.Tests.Integration;

/// <summary>
/// The seller's firewall on real tunnels: a seller host (namespace B) with two buyers (namespace A, and a third
/// namespace C on its own link to B), each with its own tunnel to the seller, and TCP services the seller host runs
/// on all its addresses. Every refusal is checked again with the firewall taken away, so what the test sees is the
/// firewall's doing and not a route that never worked.
/// </summary>
[Collection("real tunnels")]
public sealed class SellerFirewallTests
{
    private const int AllowedPort = 9735;
    private const int OtherServicePort = 8080;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Granted = TimeSpan.FromSeconds(15);

    [SkippableFact]
    public async Task A_buyer_reaches_only_ping_and_the_allowed_port_on_the_sellers_tunnel_address_and_another_buyer_only_when_allowed()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        using var third = ThirdHost.Create(pair);
        var seller = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyerA = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        var buyerC = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(third.Name), preferKernel: false);
        using var sellerKey = WireGuardPrivateKey.Generate();
        using var keyA = WireGuardPrivateKey.Generate();
        using var keyC = WireGuardPrivateKey.Generate();
        string wgS = "ivfS" + pair.Tag, wgA = "ivfA" + pair.Tag, wgC = "ivfC" + pair.Tag;
        const string sellerTunnel = "10.210.0.1", tunnelA = "10.210.0.2", tunnelC = "10.210.0.3";
        var firewall = seller.Firewall!;

        try
        {
            // The seller's services listen on every address of its host, as services usually do.
            var allowed = NamespaceSockets.ListenOnAllAddresses(pair.B, AllowedPort);
            var other = NamespaceSockets.ListenOnAllAddresses(pair.B, OtherServicePort);
            try
            {
                // Closed before the interface exists, as the seller does it; applied twice, as a restart does.
                await firewall.ApplyAsync(Rules(wgS, buyerToBuyer: false), [], None);
                await firewall.ApplyAsync(Rules(wgS, buyerToBuyer: false), [], None);
                NetworkNamespacePair.Run("ip", "netns", "exec", pair.B, "sysctl", "-qw", "net.ipv4.ip_forward=1");

                await seller.Links.CreateInterfaceAsync(wgS, new InterfaceOptions { PrivateKey = sellerKey, ListenPort = 51820, Addresses = [IpPrefix.Parse(sellerTunnel + "/24")] }, None);
                await seller.Devices.ConfigureDeviceAsync(wgS, new DeviceConfig
                {
                    Peers =
                    [
                        new PeerConfig(keyA.PublicKey) { AllowedIps = [IpPrefix.Parse(tunnelA + "/32")] },
                        new PeerConfig(keyC.PublicKey) { AllowedIps = [IpPrefix.Parse(tunnelC + "/32")] },
                    ],
                }, None);
                await firewall.AdmitAsync(wgS, Paid(tunnelA, tunnelC), None);
                // Buyer A sends the seller's other address into the tunnel too, as a buyer trying its luck would.
                await BuyerAsync(buyerA, wgA, keyA, tunnelA, sellerKey.PublicKey, pair.UnderlayB, third.SellerAddress);
                await BuyerAsync(buyerC, wgC, keyC, tunnelC, sellerKey.PublicKey, third.SellerAddress, null);

                Assert.True(NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 3, waitSeconds: 2), "a buyer pings the seller's tunnel address");
                Assert.True(NetworkNamespacePair.Ping(third.Name, sellerTunnel, count: 3, waitSeconds: 2), "so does the other buyer");
                Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, sellerTunnel, AllowedPort, Granted), "the allowed port on the seller's tunnel address");
                Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, sellerTunnel, OtherServicePort, Refused), "a service on all addresses, through the tunnel");
                Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, third.SellerAddress, AllowedPort, Refused), "the allowed port on another address of the seller, through the tunnel");
                Assert.False(NetworkNamespacePair.Ping(pair.A, tunnelC, count: 2, waitSeconds: 1), "one buyer must not reach another");

                // Applied again with its admissions: the paid buyers are never out of the set in between.
                await firewall.ApplyAsync(Rules(wgS, buyerToBuyer: true), Paid(tunnelA, tunnelC), None);
                Assert.True(NetworkNamespacePair.Ping(pair.A, tunnelC, count: 3, waitSeconds: 2), "buyers reach one another where the seller allows it");
                Assert.False(await NamespaceSockets.CanConnectAsync(pair.A, sellerTunnel, OtherServicePort, Refused), "allowing buyers to meet opens nothing on the host");

                // Without the firewall, everything refused above is reachable: the routes were there all along.
                await firewall.RemoveAsync(wgS, None);
                await firewall.RemoveAsync(wgS, None);
                Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, sellerTunnel, OtherServicePort, Granted), "open without the firewall: the other service");
                Assert.True(await NamespaceSockets.CanConnectAsync(pair.A, third.SellerAddress, AllowedPort, Granted), "open without the firewall: the other address");
            }
            finally
            {
                allowed.Dispose();
                other.Dispose();
            }
        }
        finally
        {
            await buyerA.Links.DeleteInterfaceAsync(wgA, None);
            await buyerC.Links.DeleteInterfaceAsync(wgC, None);
            await seller.Links.DeleteInterfaceAsync(wgS, None);
        }
    }

    [SkippableFact]
    public async Task A_buyer_passes_only_while_admitted_and_an_admission_lapses_by_itself_with_the_peer_still_there()
    {
        var missing = Requirements.MissingForRealTunnels();
        Skip.If(missing is not null, missing);
        using var pair = NetworkNamespacePair.Create();
        var seller = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.B), preferKernel: false);
        var buyer = WireGuardHosts.ForThisMachine(new LinuxNetworkContext(pair.A), preferKernel: false);
        using var sellerKey = WireGuardPrivateKey.Generate();
        using var buyerKey = WireGuardPrivateKey.Generate();
        string wgS = "ivpS" + pair.Tag, wgA = "ivpA" + pair.Tag;
        const string sellerTunnel = "10.210.0.1", tunnelA = "10.210.0.2";
        var firewall = seller.Firewall!;
        try
        {
            await firewall.ApplyAsync(Rules(wgS, buyerToBuyer: false), [], None);
            await seller.Links.CreateInterfaceAsync(wgS, new InterfaceOptions { PrivateKey = sellerKey, ListenPort = 51820, Addresses = [IpPrefix.Parse(sellerTunnel + "/24")] }, None);
            await seller.Devices.ConfigureDeviceAsync(wgS, new DeviceConfig { Peers = [new PeerConfig(buyerKey.PublicKey) { AllowedIps = [IpPrefix.Parse(tunnelA + "/32")] }] }, None);
            await BuyerAsync(buyer, wgA, buyerKey, tunnelA, sellerKey.PublicKey, pair.UnderlayB, null);

            Assert.False(NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 2, waitSeconds: 1), "a peer on the interface that is not admitted reaches nothing");

            // Admitted for a few seconds: the kernel, not a process of ours, ends it.
            await firewall.AdmitAsync(wgS, [new BuyerAdmission(IPAddress.Parse(tunnelA), TimeSpan.FromSeconds(4))], None);
            Assert.True(NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 2, waitSeconds: 2), "admitted: the seller's tunnel address answers");
            var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
            while (NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 1, waitSeconds: 1) && DateTimeOffset.UtcNow < deadline)
            {
                // Each failed ping waits its second; an answered one is retried until the admission lapses.
            }

            Assert.False(NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 2, waitSeconds: 1), "the admission lapsed by itself");
            Assert.Single((await seller.Devices.GetDeviceAsync(wgS, None))!.Peers);

            // Admitted again (a refresh), then revoked (an expiry): each takes effect at once. A live admission is
            // replaced, shorter or longer: the kernel's own timeout says which one holds.
            await firewall.AdmitAsync(wgS, Paid(tunnelA), None);
            Assert.Contains("timeout 10m", PaidSet(pair.B, wgS), StringComparison.Ordinal);
            await firewall.AdmitAsync(wgS, [new BuyerAdmission(IPAddress.Parse(tunnelA), TimeSpan.FromSeconds(90))], None);
            Assert.Contains("timeout 1m30s", PaidSet(pair.B, wgS), StringComparison.Ordinal);
            await firewall.AdmitAsync(wgS, Paid(tunnelA), None);
            Assert.Contains("timeout 10m", PaidSet(pair.B, wgS), StringComparison.Ordinal);
            Assert.True(NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 2, waitSeconds: 2), "admitted again");
            await firewall.RevokeAsync(wgS, IPAddress.Parse(tunnelA), null, None);
            await firewall.RevokeAsync(wgS, IPAddress.Parse(tunnelA), null, None);
            Assert.False(NetworkNamespacePair.Ping(pair.A, sellerTunnel, count: 2, waitSeconds: 1), "revoked");
        }
        finally
        {
            await buyer.Links.DeleteInterfaceAsync(wgA, None);
            await seller.Links.DeleteInterfaceAsync(wgS, None);
            await firewall.RemoveAsync(wgS, None);
        }
    }

    private static string PaidSet(string ns, string interfaceName) =>
        NetworkNamespacePair.Capture("ip", "netns", "exec", ns, "nft", "list", "set", "inet", "impvpn_" + interfaceName, "paid");

    private static BuyerAdmission[] Paid(params string[] buyers) =>
        [.. buyers.Select(b => new BuyerAdmission(IPAddress.Parse(b), TimeSpan.FromMinutes(10)))];

    private static SellerFirewallRules Rules(string name, bool buyerToBuyer) =>
        new(name, IPAddress.Parse("10.210.0.1"), [AllowedPort], buyerToBuyer);

    /// <summary>A buyer's tunnel to the seller, sending the tunnel subnet (and <paramref name="extra"/>) into it.</summary>
    private static async Task BuyerAsync(WireGuardHost host, string name, WireGuardPrivateKey key, string address, WireGuardPublicKey seller, string sellerUnderlay, string? extra)
    {
        await host.Links.CreateInterfaceAsync(name, new InterfaceOptions { PrivateKey = key, Addresses = [IpPrefix.Parse(address + "/24")] }, None);
        IpPrefix[] through = extra is null ? [IpPrefix.Parse("10.210.0.0/24")] : [IpPrefix.Parse("10.210.0.0/24"), IpPrefix.Parse(extra + "/32")];
        await host.Devices.ConfigureDeviceAsync(name, new DeviceConfig
        {
            Peers = [new PeerConfig(seller) { Endpoint = IPEndPoint.Parse(sellerUnderlay + ":51820"), AllowedIps = through }],
        }, None);
        if (extra is not null)
        {
            await host.Links.AddRouteAsync(name, IpPrefix.Parse(extra + "/32"), None);
        }
    }

    /// <summary>A third namespace (the second buyer's host) on a veth link of its own to the seller's namespace, so
    /// the seller host has an address that is not its tunnel address (<see cref="SellerAddress"/>).</summary>
    private sealed class ThirdHost : IDisposable
    {
        private ThirdHost(NetworkNamespacePair pair)
        {
            Name = "ivt-c-" + pair.Tag;
            SellerAddress = $"172.30.{pair.Subnet}.2";
            Underlay = $"172.30.{pair.Subnet}.1";
        }

        public string Name { get; }

        public string Underlay { get; }

        /// <summary>The seller host's address on this link (the second buyer's WireGuard endpoint), and another of its
        /// addresses, where its services listen too.</summary>
        public string SellerAddress { get; }

        public static ThirdHost Create(NetworkNamespacePair pair)
        {
            var host = new ThirdHost(pair);
            try
            {
                NetworkNamespacePair.Run("ip", "netns", "add", host.Name);
                NetworkNamespacePair.Run("ip", "link", "add", "ivc" + pair.Tag, "netns", host.Name, "type", "veth", "peer", "name", "ivd" + pair.Tag, "netns", pair.B);
                NetworkNamespacePair.Run("ip", "-n", host.Name, "address", "add", host.Underlay + "/24", "dev", "ivc" + pair.Tag);
                NetworkNamespacePair.Run("ip", "-n", pair.B, "address", "add", host.SellerAddress + "/24", "dev", "ivd" + pair.Tag);
                NetworkNamespacePair.Run("ip", "-n", host.Name, "link", "set", "lo", "up");
                NetworkNamespacePair.Run("ip", "-n", host.Name, "link", "set", "ivc" + pair.Tag, "up");
                NetworkNamespacePair.Run("ip", "-n", pair.B, "link", "set", "ivd" + pair.Tag, "up");
            }
            catch
            {
                host.Dispose();
                throw;
            }

            return host;
        }

        public void Dispose()
        {
            // The buyer's wireguard-go is stopped by deleting its interface (the test's finally); the namespace goes last.
            foreach (var pid in NetworkNamespacePair.Capture("ip", "netns", "pids", Name).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
                    process.Kill();
                    process.WaitForExit(5000);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }

            try
            {
                NetworkNamespacePair.Run("ip", "netns", "del", Name);
            }
            catch (InvalidOperationException)
            {
                // Never made.
            }
        }
    }
}
