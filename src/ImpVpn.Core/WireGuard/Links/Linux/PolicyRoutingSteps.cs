using System.Globalization;
using System.Net;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// The ip(8) commands of a full tunnel, per address family, as wg-quick does it: the interface's firewall mark keeps
/// the tunnel's own UDP on the main table; everything else (<c>not fwmark</c>) looks up the tunnel's table, whose
/// default route is the interface; the main table is asked first for anything but its default route
/// (<c>suppress_prefixlength 0</c>), so on-link and explicitly routed networks stay reachable. Before both, what must
/// stay outside the tunnel (the node's p2p port, its peers) looks up main. A family the tunnel does not carry gets an
/// <c>unreachable</c> default in the tunnel's table instead: blocked, never sent around the tunnel. The main table
/// itself is never touched. Rules carry fixed priorities just below main's (32766), so each is deleted by exactly the
/// selector it was added with.
/// </summary>
internal static class PolicyRoutingSteps
{
    /// <summary>The kept-outside rules: asked before anything else of the full tunnel.</summary>
    public const int KeepOutsidePriority = 32760;

    public const int SuppressPriority = 32761;

    public const int TunnelPriority = 32762;

    private static readonly string[] Families = [FullTunnelPlan.IPv4, FullTunnelPlan.IPv6];

    /// <summary>The commands that set the plan up, in order (the diverting rule last).</summary>
    public static IReadOnlyList<string[]> Apply(FullTunnelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var steps = new List<string[]>();
        foreach (var family in Families)
        {
            steps.Add([Flag(family), "route", "replace", .. DefaultRoute(plan, family)]);
            steps.AddRange(KeepOutside(plan, family).Select(selector => (string[])[Flag(family), "rule", "add", .. selector]));
            steps.Add([Flag(family), "rule", "add", .. Suppress()]);
            steps.Add([Flag(family), "rule", "add", .. Divert(plan)]);
        }

        return steps;
    }

    /// <summary>The commands that undo it, in the reverse order (the diverting rule first); each one tolerates what
    /// is already gone.</summary>
    public static IReadOnlyList<string[]> Undo(FullTunnelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var steps = new List<string[]>();
        foreach (var family in Families)
        {
            steps.Add([Flag(family), "rule", "del", .. Divert(plan)]);
            steps.Add([Flag(family), "rule", "del", .. Suppress()]);
            steps.AddRange(KeepOutside(plan, family).Select(selector => (string[])[Flag(family), "rule", "del", .. selector]));
            steps.Add([Flag(family), "route", "del", .. DefaultRoute(plan, family)]);
        }

        return steps;
    }

    /// <summary>Whether a failed undo command failed only because what it removes is not there.</summary>
    public static bool AlreadyGone(string error) =>
        error.Contains("No such", StringComparison.OrdinalIgnoreCase)
        || error.Contains("Cannot find device", StringComparison.OrdinalIgnoreCase)
        || error.Contains("does not exist", StringComparison.OrdinalIgnoreCase);

    private static string[] DefaultRoute(FullTunnelPlan plan, string family) => plan.Routes(family)
        ? ["default", "dev", SellerFirewallRules.ValidInterfaceName(plan.InterfaceName), "table", Table(plan)]
        : ["unreachable", "default", "table", Table(plan)];

    private static string[] Suppress() =>
        ["priority", Number(SuppressPriority), "table", "main", "suppress_prefixlength", "0"];

    private static string[] Divert(FullTunnelPlan plan) =>
        ["priority", Number(TunnelPriority), "not", "fwmark", Table(plan), "table", Table(plan)];

    private static IEnumerable<string[]> KeepOutside(FullTunnelPlan plan, string family)
    {
        foreach (var port in plan.KeepOutsidePorts)
        {
            var text = Number(ValidPort(port));
            yield return ["priority", Number(KeepOutsidePriority), "ipproto", "tcp", "sport", text, "table", "main"];
            yield return ["priority", Number(KeepOutsidePriority), "ipproto", "tcp", "dport", text, "table", "main"];
        }

        foreach (var address in plan.KeepOutsideAddresses.Select(IPAddress.Parse).Where(a => FullTunnelPlan.FamilyOf(a) == family))
        {
            yield return ["priority", Number(KeepOutsidePriority), "to", Host(address), "table", "main"];
        }
    }

    /// <summary>An address as a host prefix, in plain notation (a scope would not parse in a rule).</summary>
    internal static string Host(IPAddress address) =>
        FullTunnelPlan.HasScope(address)
            ? throw new ArgumentException($"'{address}' has a scope; it cannot be kept outside the tunnel by a rule.", nameof(address))
            : $"{address}/{(FullTunnelPlan.FamilyOf(address) == FullTunnelPlan.IPv6 ? 128 : 32)}";

    internal static int ValidPort(int port) =>
        port is >= 1 and <= 65535 ? port : throw new ArgumentOutOfRangeException(nameof(port), port, "A TCP port is 1 to 65535.");

    private static string Table(FullTunnelPlan plan) =>
        plan.Table is > 0 and < 0x7fffffff and not (253 or 254 or 255)
            ? Number(plan.Table)
            : throw new ArgumentException($"Table {plan.Table} cannot be a full tunnel's table.", nameof(plan));

    private static string Flag(string family) => family == FullTunnelPlan.IPv6 ? "-6" : "-4";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
