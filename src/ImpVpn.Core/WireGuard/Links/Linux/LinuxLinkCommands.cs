using System.Globalization;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>The ip(8) steps of Linux link management, whoever made the link: MTU, addresses, routes, up, delete; ip(8)
/// because .NET cannot open AF_NETLINK sockets here.</summary>
internal sealed class LinuxLinkCommands(ICommandRunner runner, LinuxNetworkContext context)
{
    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) =>
        IpAsync(["link", "set", "dev", name, "mtu", mtu.ToString(CultureInfo.InvariantCulture)], cancellationToken);

    public Task UpAsync(string name, CancellationToken cancellationToken) =>
        IpAsync(["link", "set", "dev", name, "up"], cancellationToken);

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        // "replace" instead of "add": re-applying a contract after a restart must not fail on an existing address.
        IpAsync([Family(address), "address", "replace", address.ToString(), "dev", name], cancellationToken);

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        IpAsync([Family(destination), "route", "replace", destination.Network().ToString(), "dev", name], cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        IpAsync([Family(destination), "route", "del", destination.Network().ToString(), "dev", name], cancellationToken);

    /// <summary>One echo request with ping(8) (raw ICMP sockets need privileges .NET's Ping would also ask for), bound
    /// to the interface so the answer proves the path through it; one second to answer.</summary>
    public async Task<bool> EchoAsync(string name, System.Net.IPAddress address, CancellationToken cancellationToken)
    {
        var family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";
        var (file, arguments) = context.Wrap("ping", family, "-n", "-q", "-c", "1", "-W", "1", "-I", name, address.ToString());
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

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
            await IpAsync(["link", "delete", "dev", name], cancellationToken).ConfigureAwait(false);
        }
    }

    public Task RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var (wrappedFile, wrappedArguments) = context.Wrap(file, arguments);
        return runner.RunCheckedAsync(wrappedFile, wrappedArguments, cancellationToken);
    }

    private Task IpAsync(string[] arguments, CancellationToken cancellationToken) =>
        RunAsync("ip", arguments, cancellationToken);

    private static string Family(IpPrefix prefix) =>
        prefix.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";
}
