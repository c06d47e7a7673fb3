using System.Management.Automation;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Lightning.Lnd;
using ImpVpn.Core.Store;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Connects ImpVpn to your LND node for this session.
/// What users read (Get-Help) is written in docs/help/Connect-VpnNode.md.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "VpnNode", DefaultParameterSetName = DirectorySet)]
[OutputType(typeof(VpnNode))]
public sealed class ConnectVpnNodeCommand : VpnCmdletBase
{
    private const string DirectorySet = "LndDirectory";
    private const string FilesSet = "Files";
    private const string UriSet = "LndConnect";

    [Parameter(ParameterSetName = DirectorySet)]
    public string? LndDirectory { get; set; }

    [Parameter(ParameterSetName = DirectorySet)]
    [Parameter(ParameterSetName = FilesSet)]
    [Parameter(ParameterSetName = UriSet)]
    [ValidateSet("mainnet", "testnet", "testnet4", "signet", "regtest", "simnet")]
    public string Network { get; set; } = "mainnet";

    [Parameter(ParameterSetName = DirectorySet)]
    [Parameter(Mandatory = true, ParameterSetName = FilesSet)]
    public string? RpcAddress { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = FilesSet)]
    public string TlsCertPath { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = FilesSet)]
    public string MacaroonPath { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    public string LndConnectUri { get; set; } = string.Empty;

    [Parameter]
    public string? StorePath { get; set; }

    [Parameter]
    public SwitchParameter SkipSyncCheck { get; set; }

    protected override void EndProcessing()
    {
        var options = Checked(() => ParameterSetName switch
        {
            FilesSet => LndConnectionOptions.FromFiles(RpcAddress!, ResolvePath(TlsCertPath), ResolvePath(MacaroonPath), Network),
            UriSet => Core.Lightning.Lnd.LndConnectUri.Parse(LndConnectUri, Network),
            _ => Core.Lightning.Lnd.LndDirectory.Resolve(LndDirectory is null ? null : ResolvePath(LndDirectory), Network, RpcAddress),
        });
        var node = Run((log, ct) => LndNode.ConnectAsync(options, !SkipSyncCheck, ct));
        var store = StorePath is null ? ContractStore.DefaultRoot() : ResolvePath(StorePath);
        Run(async (log, ct) =>
        {
            await VpnSession.ReplaceAsync(node, options.RpcAddress, store).ConfigureAwait(false);
            return true;
        });
        WriteVerbose($"Connected to {options}; contracts in {store}.");
        WriteObject(VpnNode.From(node.Info!, options.RpcAddress, store));
    }
}
