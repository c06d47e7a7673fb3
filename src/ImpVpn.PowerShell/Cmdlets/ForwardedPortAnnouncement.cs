using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.PowerShell.Output;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// After a port forward is bought (or fetched again): the user is told the public host:port and the lnd.conf line
/// that announces it; with -Apply the line is written into lnd.conf's [Application Options] (ShouldProcess-guarded,
/// idempotent, a backup kept) and the user is told LND must be restarted to read it.
/// </summary>
internal static class ForwardedPortAnnouncement
{
    /// <summary>lnd.conf in LND's default directory (the one Connect-VpnNode also assumes).</summary>
    public static string DefaultLndConfPath() => Path.Combine(LndDirectory.DefaultPath(), "lnd.conf");

    public static void Announce(PSCmdlet cmdlet, VpnTunnel? tunnel, bool apply, string? lndConfPath)
    {
        if (tunnel?.ForwardedEndpoint is not { } endpoint || tunnel.LndSetting is not { } setting)
        {
            return;
        }

        if (!apply)
        {
            cmdlet.WriteWarning($"Your node is reachable at {endpoint} through tunnel {tunnel.Id}. Add '{setting}' to [Application Options] in lnd.conf (or run again with -Apply) and restart LND so it announces that address.");
            return;
        }

        var path = string.IsNullOrEmpty(lndConfPath) ? DefaultLndConfPath() : cmdlet.GetUnresolvedProviderPathFromPSPath(lndConfPath);
        if (!cmdlet.ShouldProcess(path, $"Write '{setting}' into [Application Options] (a backup is kept)"))
        {
            return;
        }

        try
        {
            if (LndExternalHosts.Apply(path, endpoint, DateTimeOffset.UtcNow, out var backup))
            {
                cmdlet.WriteVerbose($"Wrote '{setting}' into {path}; the file as it was is kept as {backup}.");
                cmdlet.WriteWarning($"{path} now announces {endpoint}: restart LND for it to take effect (LND reads lnd.conf only at start).");
            }
            else
            {
                cmdlet.WriteVerbose($"{path} already has '{setting}'; nothing written.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            cmdlet.WriteError(new ErrorRecord(e, "ImpVpn.LndConfigNotWritten", ErrorCategory.WriteError, path)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = $"Add '{setting}' to [Application Options] in lnd.conf yourself, or give its path with -LndConfigPath; then restart LND." },
            });
        }
    }
}
