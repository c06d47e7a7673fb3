using System.Management.Automation;
using ImpVpn.Core.Selling;
using ImpVpn.PowerShell.Completion;
using ImpVpn.PowerShell.Output;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// Lists the contracts this store sold, with what each brought in and, while active, its tunnel's traffic on the
/// seller's interface. Reads the store without the seller's role, so it works beside a running seller.
/// What users read (Get-Help) is written in docs/help/Get-VpnSoldContract.md.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VpnSoldContract")]
[OutputType(typeof(VpnSoldContract))]
public sealed class GetVpnSoldContractCommand : VpnCmdletBase
{
    private const string DefaultInterfaceName = "impvpn0";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SoldContractIdCompleter))]
    public string[]? Id { get; set; }

    [Parameter]
    public SoldContractState[]? State { get; set; }

    [Parameter]
    [ValidatePattern("^0[23][0-9a-fA-F]{64}$")]
    public string? BuyerPubKey { get; set; }

    [Parameter]
    public SwitchParameter IncludeArchived { get; set; }

    [Parameter]
    [ValidateLength(1, 15)]
    public string? InterfaceName { get; set; }

    protected override void ProcessRecord()
    {
        // Looking creates nothing: where no store exists yet nothing was sold.
        var view = Checked(VpnSession.ExistingSold);
        var contracts = new List<SoldContract>();
        if (Id is not null)
        {
            foreach (var id in Id)
            {
                if (view is not null && Checked(() => view.Find(id)) is { } found)
                {
                    contracts.Add(found);
                }
                else
                {
                    WriteError(ErrorRecords.From(new SoldContractNotFoundException(id, VpnSession.StoreRoot), id));
                }
            }
        }
        else if (view is not null)
        {
            contracts.AddRange(Checked(() => view.All(IncludeArchived, unreadable => WriteError(ToErrorRecord(unreadable, unreadable.Path)))));
        }

        var shown = contracts
            .Where(c => State is null || State.Contains(c.State))
            .Where(c => BuyerPubKey is null || string.Equals(c.BuyerPubKey, BuyerPubKey, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var traffic = shown.Any(c => c.State == SoldContractState.Active) ? ReadTraffic() : SellerInterfaceTraffic.None;
        foreach (var contract in shown)
        {
            WriteObject(VpnSoldContract.From(contract, traffic.For(contract)));
        }
    }

    // The interface the running seller says it uses (none when it runs config-only), else the default name.
    private SellerInterfaceTraffic ReadTraffic()
    {
        var interfaceName = InterfaceName;
        if (interfaceName is null)
        {
            SellerStatus? status = null;
            try
            {
                status = Run((_, ct) => SellerControlClient.StatusAsync(VpnSession.StoreRoot, ct));
            }
            catch (VpnCmdletException e)
            {
                // The contracts are still worth showing without traffic; say why it is missing.
                WriteWarning($"The running seller did not say which interface it uses ({e.Message}); reading {DefaultInterfaceName}.");
            }

            if (status is { ConfigOnly: true })
            {
                return SellerInterfaceTraffic.None;
            }

            interfaceName = status?.InterfaceName ?? DefaultInterfaceName;
        }

        var devices = SessionWireGuard.ForReading()?.Devices;
        return Run((_, ct) => SellerInterfaceTraffic.ReadAsync(devices, interfaceName, ct));
    }
}
