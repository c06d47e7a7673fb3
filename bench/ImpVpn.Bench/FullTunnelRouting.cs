using System.Globalization;

namespace ImpVpn.Bench;

/// <summary>Full-tunnel routing laid by hand over a WireGuard interface, the way wg-quick does it for
/// AllowedIPs = 0.0.0.0/0: the device marks its own (encrypted) packets, every unmarked packet is looked up in a
/// table whose default route is the tunnel, and the main table is consulted first for anything but its default
/// route (suppress_prefixlength 0), so the underlay and more specific routes stay as they were.</summary>
internal static class FullTunnelRouting
{
    public const int Table = 51820;

    /// <summary>Sets it up in <paramref name="ns"/> for <paramref name="interfaceName"/>; <see cref="RemoveAsync"/> or
    /// the namespace's deletion takes it away.</summary>
    public static async Task ApplyAsync(string ns, string interfaceName)
    {
        var limit = TimeSpan.FromSeconds(10);
        var table = Table.ToString(CultureInfo.InvariantCulture);
        await BoundedCommand.RunAsync(ns, limit, "wg", "set", interfaceName, "fwmark", table);
        await BoundedCommand.RunAsync(ns, limit, "ip", "-4", "route", "add", "0.0.0.0/0", "dev", interfaceName, "table", table);
        await BoundedCommand.RunAsync(ns, limit, "ip", "-4", "rule", "add", "not", "fwmark", table, "table", table);
        await BoundedCommand.RunAsync(ns, limit, "ip", "-4", "rule", "add", "table", "main", "suppress_prefixlength", "0");
        await BoundedCommand.RunAsync(ns, limit, "sysctl", "-q", "-w", "net.ipv4.conf.all.src_valid_mark=1");
    }

    /// <summary>Takes it away again: plain routes only, as before <see cref="ApplyAsync"/>.</summary>
    public static async Task RemoveAsync(string ns, string interfaceName)
    {
        var limit = TimeSpan.FromSeconds(10);
        var table = Table.ToString(CultureInfo.InvariantCulture);
        await BoundedCommand.RunAsync(ns, limit, "ip", "-4", "rule", "del", "table", "main", "suppress_prefixlength", "0");
        await BoundedCommand.RunAsync(ns, limit, "ip", "-4", "rule", "del", "not", "fwmark", table, "table", table);
        await BoundedCommand.RunAsync(ns, limit, "ip", "-4", "route", "flush", "table", table);
        await BoundedCommand.RunAsync(ns, limit, "wg", "set", interfaceName, "fwmark", "0");
    }
}
