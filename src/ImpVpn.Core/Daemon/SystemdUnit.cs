using System.Text;

namespace ImpVpn.Core.Daemon;

/// <summary>
/// impvpnd's systemd unit: Type=notify (impvpnd says READY=1 once the seller has really started), restarted on
/// failure but not after a bad configuration (exit 2), and confined to what it needs.
/// </summary>
public static class SystemdUnit
{
    public const string FileName = DaemonServiceDefinition.ServiceName + ".service";

    public static string Render(DaemonServiceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var capabilities = definition.Buys ? "CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_NET_RAW" : "CAP_NET_ADMIN CAP_DAC_READ_SEARCH";
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line($"# impvpnd {definition.Version}: written by ImpVpn's daemon installer, which also removes it.");
        Line("[Unit]");
        Line("Description=ImpVpn daemon: WireGuard tunnels sold and refreshed over Lightning");
        Line("Documentation=https://example.invalid/impvpn/docs/daemon.md");
        Line("Wants=network-online.target");
        // After the clock is set: the refresh budget's periods are read from it.
        Line("After=network-online.target time-sync.target lnd.service");
        Line(string.Empty);
        Line("[Service]");
        Line("Type=notify");
        Line($"ExecStart={Quote(definition.HostPath, inCommand: true)} {Quote(definition.DaemonPath, inCommand: true)} --config {Quote(definition.ConfigPath, inCommand: true)}");
        Line("Restart=on-failure");
        Line("RestartSec=10s");
        // Exit 2 is a bad configuration: starting again would fail the same way.
        Line("RestartPreventExitStatus=2");
        // The seller finishes the requests under way and releases its store; its interface stays up.
        Line("TimeoutStopSec=60s");
        // Only impvpnd itself is stopped: the wireguard-go processes it started carry the seller's interface and the
        // buyers' paid peers, which must outlive a restart (the default, control-group, would kill them).
        Line("KillMode=process");
        // CAP_NET_ADMIN: the interface (wireguard-go's TUN device, ip link/address/route) and the nftables table.
        // CAP_DAC_READ_SEARCH: the bounding set takes root's file-permission override away, so without it the daemon
        // could not read LND's tls.cert and macaroon in the lnd user's 0700 folder (nor a store under a home folder);
        // it reads and searches, never writes, what it does not own.
        // CAP_NET_RAW only for a buyer (the scheduled refresh, or the API's purchases and refreshes): before it claims,
        // a buyer proves a live tunnel with an echo
        // (ping(8), which needs a raw socket unless net.ipv4.ping_group_range allows an ICMP socket).
        Line($"CapabilityBoundingSet={capabilities}");
        Line($"AmbientCapabilities={capabilities}");
        Line("NoNewPrivileges=yes");
        Line("ProtectSystem=strict");
        Line($"ReadWritePaths={Quote(definition.StorePath, inCommand: false)} -/run/wireguard");
        Line("RuntimeDirectory=wireguard");
        Line("RuntimeDirectoryPreserve=yes");
        // Read-only rather than hidden: LND's tls.cert and macaroon usually live in its user's home (~/.lnd).
        Line("ProtectHome=read-only");
        Line("PrivateTmp=yes");
        Line("DevicePolicy=closed");
        Line("DeviceAllow=/dev/net/tun rw");
        Line("ProtectKernelModules=yes");
        Line("ProtectKernelLogs=yes");
        Line("ProtectControlGroups=yes");
        Line("ProtectClock=yes");
        Line("ProtectHostname=yes");
        Line("RestrictSUIDSGID=yes");
        Line("LockPersonality=yes");
        Line("RestrictRealtime=yes");
        Line("RestrictNamespaces=yes");
        Line("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK");
        Line("SystemCallArchitectures=native");
        Line("UMask=0077");
        Line(string.Empty);
        Line("[Install]");
        Line("WantedBy=multi-user.target");
        return text.ToString();
    }

    /// <summary>The daemon's path and configuration from a unit this class wrote (its ExecStart); nulls otherwise.</summary>
    public static (string? DaemonPath, string? ConfigPath) Read(string unitText)
    {
        ArgumentNullException.ThrowIfNull(unitText);
        var exec = unitText.Split('\n').FirstOrDefault(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        if (exec is null)
        {
            return (null, null);
        }

        var words = ServiceCommandLine.Split(exec["ExecStart=".Length..], backslashEscapes: true)
            .Select(w => w.Replace("%%", "%", StringComparison.Ordinal).Replace("$$", "$", StringComparison.Ordinal)).ToList();
        return ServiceCommandLine.DaemonAndConfig(words);
    }

    /// <summary>The version folder a daemon path lies in (/opt/impvpn/0.3.0/impvpnd.dll → 0.3.0).</summary>
    public static string? VersionOf(string? daemonPath) =>
        daemonPath is null ? null : Path.GetFileName(Path.GetDirectoryName(daemonPath));

    // systemd's quoting: double quotes around a word with spaces; backslash and quote escaped; '%' doubled (a
    // specifier otherwise), and in a command '$' doubled (a variable otherwise). A control character (a newline
    // would end the line and start a directive of its own) is refused, never written.
    private static string Quote(string word, bool inCommand)
    {
        if (word.Any(char.IsControl))
        {
            throw new ArgumentException($"A path with a control character cannot go into a systemd unit: {word.ReplaceLineEndings(" ")}", nameof(word));
        }

        word = word.Replace("%", "%%", StringComparison.Ordinal);
        if (inCommand)
        {
            word = word.Replace("$", "$$", StringComparison.Ordinal);
        }

        return word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '\'')
            ? "\"" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : word;
    }
}
