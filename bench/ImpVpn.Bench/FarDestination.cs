using ImpVpn.TestSupport;

namespace ImpVpn.Bench;

/// <summary>A stand-in for an address beyond the seller (the internet a full tunnel carries traffic to):
/// 198.51.100.1 (TEST-NET-2) in a third namespace behind the seller's, joined to it by a veth pair, the seller's
/// namespace forwarding to it. An echo to it crosses the tunnel and is forwarded once each way by the seller's
/// namespace, as traffic to the internet is. (This kernel has no dummy interface type: `ip link add … type dummy`
/// fails with "Unknown device type".) Dispose deletes the namespace and with it the veth pair.</summary>
internal sealed class FarDestination : IDisposable
{
    public const string Address = "198.51.100.1";
    private const string SellerSide = "10.214.0.1";
    private const string FarSide = "10.214.0.2";

    private FarDestination(string ns) => Namespace = ns;

    public string Namespace { get; }

    /// <summary>Puts the far namespace behind <paramref name="sellerNs"/>, which forwards to it.</summary>
    public static async Task<FarDestination> AddAsync(string sellerNs, string tag)
    {
        var limit = TimeSpan.FromSeconds(10);
        var far = new FarDestination("ivtp-c-" + tag);
        try
        {
            await BoundedCommand.RunAsync(null, limit, "ip", "netns", "add", far.Namespace);
            string sellerVeth = "ivtpc" + tag, farVeth = "ivtpd" + tag;
            await BoundedCommand.RunAsync(null, limit, "ip", "link", "add", sellerVeth, "netns", sellerNs, "type", "veth", "peer", "name", farVeth, "netns", far.Namespace);
            await BoundedCommand.RunAsync(sellerNs, limit, "ip", "address", "add", SellerSide + "/24", "dev", sellerVeth);
            await BoundedCommand.RunAsync(sellerNs, limit, "ip", "link", "set", sellerVeth, "up");
            await BoundedCommand.RunAsync(sellerNs, limit, "ip", "route", "add", Address + "/32", "via", FarSide);
            await BoundedCommand.RunAsync(sellerNs, limit, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            await BoundedCommand.RunAsync(far.Namespace, limit, "ip", "link", "set", "lo", "up");
            await BoundedCommand.RunAsync(far.Namespace, limit, "ip", "address", "add", Address + "/32", "dev", "lo");
            await BoundedCommand.RunAsync(far.Namespace, limit, "ip", "address", "add", FarSide + "/24", "dev", farVeth);
            await BoundedCommand.RunAsync(far.Namespace, limit, "ip", "link", "set", farVeth, "up");
            await BoundedCommand.RunAsync(far.Namespace, limit, "ip", "route", "add", "default", "via", SellerSide);
            return far;
        }
        catch
        {
            far.Dispose();
            throw;
        }
    }

    public void Dispose() => NetworkNamespacePair.TryDelete(Namespace);
}
