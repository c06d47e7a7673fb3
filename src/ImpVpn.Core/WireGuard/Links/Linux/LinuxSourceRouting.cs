using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// <see cref="ISourceRouting"/> with ip(8): <c>ip rule add from ADDRESS lookup TABLE</c> and
/// <c>ip route replace default dev INTERFACE table TABLE</c>. The rule is deleted before it is added (ip adds a
/// duplicate otherwise), and deleted until none is left on removal. The table's route goes with its interface.
/// </summary>
internal sealed class LinuxSourceRouting(ICommandRunner runner, LinuxNetworkContext context) : ISourceRouting
{
    // More rules for one pair than this are not ImpVpn's doing; the loop stops there whatever happens.
    private const int MaxDuplicates = 16;

    public async Task RouteFromAsync(string interfaceName, IPAddress source, int table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var name = SellerFirewallRules.ValidInterfaceName(interfaceName);
        await RemoveRulesAsync(source, table, cancellationToken).ConfigureAwait(false);
        var family = Family(source);
        var tableText = Table(table);
        await CheckedAsync(["ip", family, "route", "replace", "default", "dev", name, "table", tableText], cancellationToken).ConfigureAwait(false);
        await CheckedAsync(["ip", family, "rule", "add", "from", source.ToString(), "lookup", tableText], cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(IPAddress source, int table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await RemoveRulesAsync(source, table, cancellationToken).ConfigureAwait(false);
        // The route went with the interface, usually; when the interface is still there it goes now (no error if gone).
        var (file, arguments) = context.Wrap("ip", Family(source), "route", "flush", "table", Table(table));
        await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveRulesAsync(IPAddress source, int table, CancellationToken cancellationToken)
    {
        for (var i = 0; i < MaxDuplicates; i++)
        {
            var (file, arguments) = context.Wrap("ip", Family(source), "rule", "del", "from", source.ToString(), "lookup", Table(table));
            if ((await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false)).ExitCode != 0)
            {
                return;
            }
        }
    }

    private async Task CheckedAsync(string[] command, CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap(command[0], command[1..]);
        await runner.RunCheckedAsync(file, arguments, cancellationToken).ConfigureAwait(false);
    }

    private static string Family(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";

    private static string Table(int table) => table is > 255 ? table.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(table), table, "Routing tables 0-255 are the system's.");
}
