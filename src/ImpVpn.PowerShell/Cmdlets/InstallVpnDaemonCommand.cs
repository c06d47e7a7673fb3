using System.Management.Automation;
using ImpVpn.Core.Daemon;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Validation;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Installs impvpnd as a service: its configuration (written owner-only from the parameters, or an existing file
/// given with -ConfigPath, checked either way), the daemon copied into a folder named after its version, the
/// service definition (a systemd unit, or a Windows service), enabled to start at boot. Does not start it.
/// What users read (Get-Help) is written in docs/help/Install-VpnDaemon.md.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "VpnDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SettingsSet)]
[OutputType(typeof(VpnDaemon))]
public sealed class InstallVpnDaemonCommand : DaemonCmdletBase
{
    private const string SettingsSet = "Settings";
    private const string FileSet = "ConfigFile";

    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    public string ConfigPath { get; set; } = string.Empty;

    [Parameter(ParameterSetName = SettingsSet)]
    public string? Endpoint { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateLength(1, 15)]
    public string InterfaceName { get; set; } = "impvpn0";

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateRange(1, 65535)]
    public int ListenPort { get; set; } = 51820;

    [Parameter(ParameterSetName = SettingsSet)]
    public string Subnet { get; set; } = "10.77.0.0/24";

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateRange(1, long.MaxValue)]
    public long PricePerHourSat { get; set; } = 1000;

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateRange(1, 65535)]
    public int[] AllowedPort { get; set; } = [9735];

    [Parameter(ParameterSetName = SettingsSet)]
    public SwitchParameter NoFirewall { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateRange(1, long.MaxValue)]
    public long? RefreshBudgetSat { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidatePositiveDuration]
    public TimeSpan RefreshExpiringWithin { get; set; } = TimeSpan.FromHours(2);

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidatePositiveDuration]
    public TimeSpan RefreshDuration { get; set; } = TimeSpan.FromDays(1);

    // Turns the API on (the seed's vpn.VPN and the extras, loopback only, token in the store): the most one purchase
    // or refresh through it may cost. Without it, Api stays off; its other keys are the file's (docs/daemon.md).
    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateRange(1, Core.Buying.QuoteCheck.MaxSat)]
    public long? ApiMaxPriceSat { get; set; }

    // The API's total (Api.BudgetSat, per Api.BudgetPeriod: 30 days unless the file says otherwise). Required with
    // -ApiMaxPriceSat and not guessed from it: how much a token holder may spend in all is the operator's decision.
    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateRange(1, Core.Buying.QuoteCheck.MaxSat)]
    public long? ApiBudgetSat { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    public string? LndDirectory { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    public string? RpcAddress { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    public string? TlsCertPath { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    public string? MacaroonPath { get; set; }

    [Parameter(ParameterSetName = SettingsSet)]
    [ValidateSet("mainnet", "testnet", "testnet4", "signet", "regtest", "simnet")]
    public string Network { get; set; } = "mainnet";

    [Parameter(ParameterSetName = SettingsSet)]
    public string? StorePath { get; set; }

    protected override void EndProcessing()
    {
        var version = typeof(InstallVpnDaemonCommand).Assembly.GetName().Version!.ToString(3);
        var source = Path.Combine(Path.GetDirectoryName(typeof(InstallVpnDaemonCommand).Assembly.Location)!, "Daemon");
        var installation = new DaemonInstallation(RootPath);
        var written = ParameterSetName == SettingsSet ? Settings() : null;
        var configPath = written is null ? ResolvePath(ConfigPath) : DaemonInstallation.DefaultConfigPath;
        // Checked before anything is written: a service that would exit at once on its configuration is not installed.
        var settings = Checked(() => written is null ? DaemonConfigurationCheck.Read(configPath) : DaemonConfigurationCheck.Check(written));
        var host = DaemonInstallation.DotnetHost()
            ?? throw new VpnCmdletException(ErrorRecords.From(new FileNotFoundException("The .NET host (dotnet) that runs impvpnd is not on the PATH."), "dotnet"));
        var manager = Manager();
        var action = $"Install impvpnd {version} into {installation.OnDisk(Path.Combine(DaemonInstallation.ProgramsFolder, version))}"
            + (written is null ? $" with the configuration {configPath}" : $", write its configuration to {installation.OnDisk(configPath)} (owner-only)")
            + " and enable the service";
        if (!ShouldProcess(manager.DefinitionPath, action))
        {
            return;
        }

        var daemonPath = Checked(() => installation.CopyDaemon(source, version));
        Checked(() =>
        {
            if (written is not null)
            {
                installation.WriteConfiguration(written, configPath);
            }

            installation.CreateStore(settings.StorePath);
        });
        var definition = new DaemonServiceDefinition(host, daemonPath, configPath, settings.StorePath, version,
            Buys: settings.Refresh is not null || settings.Api is not null);
        Run(async (log, ct) =>
        {
            await manager.InstallAsync(definition, ct).ConfigureAwait(false);
            return true;
        });
        WriteObject(Query(manager));
    }

    private DaemonConfigurationFile Settings() => new()
    {
        StorePath = StorePath is null ? DaemonInstallation.DefaultStorePath : ResolvePath(StorePath),
        Node = new DaemonConfigurationFile.NodeSection
        {
            // Written out rather than left to the daemon: its default would be its own user's (root's) home, not
            // the installing user's LND.
            LndDirectory = LndDirectory is not null ? ResolvePath(LndDirectory) : TlsCertPath is null ? Core.Lightning.Lnd.LndDirectory.DefaultPath() : null,
            RpcAddress = RpcAddress,
            TlsCertPath = TlsCertPath is null ? null : ResolvePath(TlsCertPath),
            MacaroonPath = MacaroonPath is null ? null : ResolvePath(MacaroonPath),
            Network = Network,
        },
        Seller = new DaemonConfigurationFile.SellerSection
        {
            Enabled = Endpoint is not null,
            Endpoint = Endpoint,
            InterfaceName = InterfaceName,
            ListenPort = ListenPort,
            Subnet = Subnet,
            PricePerHourSat = PricePerHourSat,
            AllowedPorts = AllowedPort ?? [],
            ManageFirewall = !NoFirewall,
        },
        Refresh = new DaemonConfigurationFile.RefreshSection
        {
            Enabled = RefreshBudgetSat is not null,
            BudgetSat = RefreshBudgetSat,
            ExpiringWithin = RefreshExpiringWithin,
            Duration = RefreshDuration,
        },
        Api = new ApiSection
        {
            // Either turns it on, so the check names the other when it is missing rather than leaving the API off.
            Enabled = ApiMaxPriceSat is not null || ApiBudgetSat is not null,
            MaxPriceSat = ApiMaxPriceSat,
            BudgetSat = ApiBudgetSat,
        },
    };
}
