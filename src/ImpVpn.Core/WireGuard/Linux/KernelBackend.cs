using System.Globalization;
using ImpVpn.Core.WireGuard.Uapi;

namespace ImpVpn.Core.WireGuard.Linux;

/// <summary>
/// The Linux kernel module, driven with ip(8) and wg(8) (no netlink from .NET here). Each change is one
/// `wg set` naming only the peer that changes, so it costs the same on a device with thousands of peers.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class KernelBackend(ICommandRunner runner, LinuxLinkCommands link, LinuxNetworkContext context) : IWireGuardBackend
{
    public WireGuardBackendKind Kind => WireGuardBackendKind.LinuxKernel;

    /// <summary>Whether this kernel has WireGuard: the module is loaded (or built in) when /sys/module/wireguard exists.</summary>
    public static bool KernelHasWireGuard() => Directory.Exists("/sys/module/wireguard");

    public async Task<bool> OwnsAsync(string name, CancellationToken cancellationToken) =>
        (await ListDevicesAsync(cancellationToken).ConfigureAwait(false)).Contains(name);

    public async Task<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap("wg", "show", "interfaces");
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        // wg lists userspace devices too (it speaks the UAPI); those belong to the userspace backend.
        var userspace = new UnixSocketUapiTransport(UnixSocketUapiTransport.DefaultFolder);
        return result.ExitCode != 0
            ? []
            : result.Output.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)
                .Where(n => !userspace.Exists(n)).ToList();
    }

    public async Task<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken)
    {
        var (file, arguments) = context.Wrap("wg", "show", name, "dump");
        var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode != 0 ? null : WgDumpParser.Parse(name, result.Output);
    }

    public async Task ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken)
    {
        var current = await GetDeviceAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new WireGuardDeviceNotFoundException(name);
        var secrets = new List<SecretFile>();
        try
        {
            var arguments = new List<string> { "set", name };
            if (config.PrivateKey is not null)
            {
                arguments.AddRange(["private-key", Secret(secrets, config.PrivateKey.RevealBase64())]);
            }

            if (config.ListenPort is { } port)
            {
                arguments.AddRange(["listen-port", port.ToString(CultureInfo.InvariantCulture)]);
            }

            if (config.FirewallMark is { } mark)
            {
                arguments.AddRange(["fwmark", mark.ToString(CultureInfo.InvariantCulture)]);
            }

            if (config.ReplacePeers)
            {
                // wg set has no replace-peers: remove every current peer the new list does not name.
                var keep = config.Peers.Select(p => p.PublicKey).ToHashSet();
                foreach (var stale in current.Peers.Where(p => !keep.Contains(p.PublicKey)))
                {
                    arguments.AddRange(["peer", stale.PublicKey.ToBase64(), "remove"]);
                }
            }

            foreach (var peer in config.Peers)
            {
                AppendPeer(arguments, peer, current, secrets);
            }

            var (file, wrapped) = context.Wrap("wg", [.. arguments]);
            await runner.RunCheckedAsync(file, wrapped, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            secrets.ForEach(s => s.Dispose());
        }
    }

    private static void AppendPeer(List<string> arguments, PeerConfig peer, WireGuardDevice current, List<SecretFile> secrets)
    {
        var existing = current.Peers.FirstOrDefault(p => p.PublicKey.Equals(peer.PublicKey));
        if (peer.UpdateOnly && existing is null)
        {
            return;
        }

        arguments.AddRange(["peer", peer.PublicKey.ToBase64()]);
        if (peer.Remove)
        {
            arguments.Add("remove");
            return;
        }

        if (peer.PresharedKey is { } psk)
        {
            arguments.AddRange(["preshared-key", Secret(secrets, Convert.ToBase64String(psk))]);
        }

        if (peer.Endpoint is { } endpoint)
        {
            arguments.AddRange(["endpoint", UapiCodec.FormatEndpoint(endpoint)]);
        }

        if (peer.PersistentKeepalive is { } keepalive)
        {
            arguments.AddRange(["persistent-keepalive", ((int)keepalive.TotalSeconds).ToString(CultureInfo.InvariantCulture)]);
        }

        // wg's allowed-ips always replaces the list; adding keeps what the peer had.
        if (peer.ReplaceAllowedIps || peer.AllowedIps.Count > 0)
        {
            var list = peer.ReplaceAllowedIps || existing is null
                ? peer.AllowedIps
                : existing.AllowedIps.Concat(peer.AllowedIps).Distinct().ToList();
            arguments.AddRange(["allowed-ips", string.Join(',', list)]);
        }
    }

    private static string Secret(List<SecretFile> secrets, string content)
    {
        var file = new SecretFile(content);
        secrets.Add(file);
        return file.FilePath;
    }

    public async Task CreateInterfaceAsync(string name, InterfaceOptions options, CancellationToken cancellationToken)
    {
        InterfaceName.Validate(name);
        await link.RunAsync(cancellationToken, "ip", "link", "add", "dev", name, "type", "wireguard").ConfigureAwait(false);
        await LinuxInterfaceSetup.CompleteAsync(this, link, name, options, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteInterfaceAsync(string name, CancellationToken cancellationToken) => link.DeleteLinkAsync(name, cancellationToken);

    public Task AddAddressAsync(string name, IpPrefix address, CancellationToken cancellationToken) =>
        link.AddAddressAsync(name, address, cancellationToken);

    public Task SetMtuAsync(string name, int mtu, CancellationToken cancellationToken) => link.SetMtuAsync(name, mtu, cancellationToken);

    public Task AddRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        link.AddRouteAsync(name, destination, cancellationToken);

    public Task RemoveRouteAsync(string name, IpPrefix destination, CancellationToken cancellationToken) =>
        link.RemoveRouteAsync(name, destination, cancellationToken);
}
