using System.Globalization;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices.WgTool;

/// <summary>Turns a <see cref="DeviceConfig"/> into the arguments of one `wg set`, naming only what changes.
/// Keys go in as file paths from <c>secretPath</c>: wg reads them only from files.</summary>
internal static class WgSetArguments
{
    /// <summary>Whether the change can only be expressed knowing the device's current peers. Reading them costs a
    /// full `wg show dump` (grows with the peer count) and what is read may be stale by the time `wg set` runs, so
    /// it is read only when wg set has no way to say the change directly.</summary>
    public static bool NeedsCurrentState(DeviceConfig config) =>
        config.ReplacePeers || config.Peers.Any(p => !p.Remove && (p.UpdateOnly || AddsAllowedIps(p)));

    public static List<string> Build(string name, DeviceConfig config, WireGuardDevice? current, Func<string, string> secretPath)
    {
        if (current is null && NeedsCurrentState(config))
        {
            throw new ArgumentException("This change needs the device's current peers.", nameof(current));
        }

        var arguments = new List<string> { "set", name };
        if (config.PrivateKey is not null)
        {
            arguments.AddRange(["private-key", secretPath(config.PrivateKey.RevealBase64())]);
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
            foreach (var stale in current!.Peers.Where(p => !keep.Contains(p.PublicKey)))
            {
                arguments.AddRange(["peer", stale.PublicKey.ToBase64(), "remove"]);
            }
        }

        foreach (var peer in config.Peers)
        {
            AppendPeer(arguments, peer, current, secretPath);
        }

        return arguments;
    }

    // wg's allowed-ips always replaces the peer's list (wireguard-tools 1.0.20210914, the version tested here, has
    // no "+prefix" to add one). Adding without replacing therefore rewrites the list read from the dump: a change
    // made by someone else between that read and this `wg set` is lost. Buyer and seller always replace.
    private static bool AddsAllowedIps(PeerConfig peer) => !peer.ReplaceAllowedIps && peer.AllowedIps.Count > 0;

    private static void AppendPeer(List<string> arguments, PeerConfig peer, WireGuardDevice? current, Func<string, string> secretPath)
    {
        if (peer.Remove)
        {
            // Removing a peer the device does not have is not an error for wg, so no read is needed.
            arguments.AddRange(["peer", peer.PublicKey.ToBase64(), "remove"]);
            return;
        }

        var existing = current?.Peers.FirstOrDefault(p => p.PublicKey.Equals(peer.PublicKey));
        if (peer.UpdateOnly && existing is null)
        {
            return;
        }

        arguments.AddRange(["peer", peer.PublicKey.ToBase64()]);
        if (peer.PresharedKey is { } psk)
        {
            arguments.AddRange(["preshared-key", secretPath(Convert.ToBase64String(psk))]);
        }

        if (peer.Endpoint is { } endpoint)
        {
            arguments.AddRange(["endpoint", EndpointText.Format(endpoint)]);
        }

        if (peer.PersistentKeepalive is { } keepalive)
        {
            arguments.AddRange(["persistent-keepalive", ((int)keepalive.TotalSeconds).ToString(CultureInfo.InvariantCulture)]);
        }

        if (peer.ReplaceAllowedIps)
        {
            arguments.AddRange(["allowed-ips", string.Join(',', peer.AllowedIps)]);
        }
        else if (AddsAllowedIps(peer))
        {
            var list = existing is null ? peer.AllowedIps : existing.AllowedIps.Concat(peer.AllowedIps).Distinct().ToList();
            arguments.AddRange(["allowed-ips", string.Join(',', list)]);
        }
    }
}
