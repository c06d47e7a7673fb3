using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.WireGuard;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Buys more time on a tunnel (RefreshContract).</para>
/// <para type="description">Safe in scheduled tasks: it never prompts unless -Confirm is given, never pays above -MaxPriceSat, and a failure is an error so the scheduler notices.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "VpnContract", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VpnTunnel))]
public sealed class UpdateVpnContractCommand : VpnCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern("^[0-9a-zA-Z]{1,64}$")]
    public string[] Id { get; set; } = [];

    [Parameter]
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? MaxPriceSat { get; set; }

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long FeeLimitSat { get; set; } = 10;

    protected override void ProcessRecord()
    {
        var node = RequireNode();
        foreach (var id in Id)
        {
            if (!ShouldProcess(id, $"Pay for {Duration} more"))
            {
                continue;
            }

            try
            {
                WriteObject(Run(async (log, ct) =>
                {
                    var store = VpnSession.Store();
                    using var locked = store.Lock(TimeSpan.FromMinutes(1));
                    await using var buyer = new VpnBuyer(node, null, store, log);
                    var contract = await buyer.RefreshAsync(id, Duration, new BuyerOptions { MaxPriceSat = MaxPriceSat, FeeLimitSat = FeeLimitSat }, ct).ConfigureAwait(false);
                    return await TunnelFactory.DescribeAsync(contract, store, OperatingSystem.IsLinux() ? WireGuardClient.Create() : null, ct).ConfigureAwait(false);
                }));
            }
            catch (VpnCmdletException e)
            {
                WriteError(e.ErrorRecord);
            }
        }
    }
}
