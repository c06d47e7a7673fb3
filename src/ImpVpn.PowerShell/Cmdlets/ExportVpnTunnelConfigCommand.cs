using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.WireGuard.Export;
using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Writes a bought tunnel's configuration for a device ImpVpn does not drive: a wg-quick .conf, or a QR code PNG.
/// What users read (Get-Help) is written in docs/help/Export-VpnTunnelConfig.md.
/// </summary>
[Cmdlet(VerbsData.Export, "VpnTunnelConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportVpnTunnelConfigCommand : VpnCmdletBase
{
    // Files written by this run: a second tunnel must not silently replace the first one's file.
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TunnelIdCompleter))]
    [ValidatePattern("^[0-9a-zA-Z]{1,64}$")]
    public string[] Id { get; set; } = [];

    [Parameter(Position = 1)]
    public string? Path { get; set; }

    [Parameter]
    public TunnelConfigFormat Format { get; set; } = TunnelConfigFormat.Conf;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var bought = Checked(VpnSession.ExistingBought);
        foreach (var id in Id)
        {
            if (FindBoughtOrReport(bought, id) is not { } contract)
            {
                continue;
            }

            var target = TargetPath(id);
            if (_written.Contains(target))
            {
                WriteError(new ErrorRecord(new ArgumentException($"Several tunnels would be written to '{target}'; give a folder as -Path."),
                    "ImpVpn.InvalidArgument", ErrorCategory.InvalidArgument, id));
                continue;
            }

            if (File.Exists(target) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"'{target}' exists; add -Force to replace it."),
                    "ImpVpn.FileExists", ErrorCategory.ResourceExists, target));
                continue;
            }

            if (!ShouldProcess(target, $"Write tunnel {id}'s configuration, its private key included, as {Format} (readable by you only)"))
            {
                continue;
            }

            try
            {
                Checked(() => Write(contract, bought!, target));
                _written.Add(target);
                WriteObject(new FileInfo(target));
            }
            catch (VpnCmdletException e)
            {
                WriteError(WithTarget(e.ErrorRecord, id));
            }
        }
    }

    private void Write(BoughtContract contract, BoughtContracts bought, string target)
    {
        var config = TunnelExport.ConfigOf(contract, bought);
        if (Format == TunnelConfigFormat.QrCodePng)
        {
            TunnelQrCode.SavePng(config, target);
        }
        else
        {
            config.WriteFile(target);
        }
    }

    /// <summary>The file to write: -Path itself where it names a file (one that exists, or a name ending .conf or
    /// .png); otherwise a file named after the tunnel in the folder -Path names (the current one by default), which
    /// writing creates if it is missing. Deciding by the name, not by what exists, means the first of several piped
    /// tunnels never takes a folder's intended name as its file. The file name stays within 15 characters because
    /// wg-quick names the interface after it.</summary>
    private string TargetPath(string id)
    {
        var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? ".");
        var namesFile = File.Exists(resolved)
            || resolved.EndsWith(".conf", StringComparison.OrdinalIgnoreCase)
            || resolved.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
        var name = $"ivpn-{id[..Math.Min(8, id.Length)]}{(Format == TunnelConfigFormat.QrCodePng ? ".png" : ".conf")}";
        return namesFile ? resolved : System.IO.Path.Combine(resolved, name);
    }
}
