using System.Globalization;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>The ip(8) steps of Linux link management, whoever made the link: MTU, addresses, routes, up, delete; ip(8)
/// because .NET cannot open AF_NETLINK sockets here.</summary>
internal sealed class LinuxLinkCommands(ICommandRunner runner, LinuxNetworkContext context)
{
    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) =>
        IpAsync(cancellationToken, "link", "set", "dev", name, "mtu", mtu.ToString(CultureInfo.InvariantCulture));

    public Task UpAsync(string name, CancellationToken cancellationToken) =>
        IpAsync(cancellationToken, "link", "set", "dev", name, "up");

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        // "replace" instead of "add": re-applying a contract after a restart must not fail on an existing address.
        IpAsync(cancellationToken, Family(address), "address", "replace", address.ToString(), "dev", name);

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        IpAsync(cancellationToken, Family(destination), "route", "replace", destination.Network().ToString(), "dev", name);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        IpAsync(cancellationToken, Family(destination), "route", "del", destination.Network().ToString(), "dev", name);

    public async Task<bool> LinkExistsAsync(string name, CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap("ip", "link", "show", "dev", name);
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    public async Task DeleteLinkAsync(string name, CancellationToken cancellationToken)
    {
        if (await LinkExistsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            await IpAsync(cancellationToken, "link", "delete", "dev", name).ConfigureAwait(false);
        }
    }

    public Task RunAsync(CancellationToken cancellationToken, string file, params string[] arguments)
    {
        var (wrappedFile, wrappedArguments) = context.Wrap(file, arguments);
        return runner.RunCheckedAsync(wrappedFile, wrappedArguments, cancellationToken);
    }

    private Task IpAsync(CancellationToken cancellationToken, params string[] arguments) =>
        RunAsync(cancellationToken, "ip", arguments);

    private static string Family(IpPrefix prefix) =>
        prefix.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";
}
