using System.Management.Automation;
using ImpVpn.Core.Buyer;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Protocol;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// What every ImpVpn cmdlet shares: a CancellationToken cancelled by Ctrl+C (StopProcessing), running core work
/// while relaying its log and progress to PowerShell's streams on the pipeline thread, and turning the core's typed
/// exceptions into ErrorRecords with stable ids and categories.
/// </summary>
public abstract class VpnCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    protected CancellationToken CancelToken => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    protected ILightningNode RequireNode() =>
        VpnSession.Node ?? throw new VpnCmdletException(new ErrorRecord(
            new InvalidOperationException("Not connected to a Lightning node. Run Connect-VpnNode first."),
            "ImpVpn.NotConnected", ErrorCategory.ConnectionError, null));

    /// <summary>Runs <paramref name="work"/> on the thread pool, writing what it reports as it goes.</summary>
    protected T Run<T>(Func<IProgressLog, CancellationToken, Task<T>> work)
    {
        var log = new CmdletProgressLog();
        var task = Task.Run(() => work(log, CancelToken));
        task.ContinueWith(_ => log.Pending.CompleteAdding(), TaskScheduler.Default);
        foreach (var item in log.Pending.GetConsumingEnumerable())
        {
            switch (item)
            {
                case ValueTuple<LogLevel, string> (var level, var message):
                    Write(level, message);
                    break;
                case ProgressUpdate progress:
                    WriteProgress(new ProgressRecord(1, progress.Activity, progress.Status) { PercentComplete = progress.PercentComplete });
                    break;
            }
        }

        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            throw new VpnCmdletException(ToErrorRecord(e));
        }
    }

    /// <summary>Runs quick work on the pipeline thread (parsing a parameter, reading the store) so that its failures,
    /// too, reach the user as ImpVpn's ErrorRecords rather than raw .NET exceptions.</summary>
    protected static T Checked<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is not VpnCmdletException and not PipelineStoppedException)
        {
            throw new VpnCmdletException(ToErrorRecord(e));
        }
    }

    protected static void Checked(Action work) => Checked(() =>
    {
        work();
        return true;
    });

    private void Write(LogLevel level, string message)
    {
        switch (level)
        {
            case LogLevel.Debug:
                WriteDebug(message);
                break;
            case LogLevel.Verbose:
                WriteVerbose(message);
                break;
            case LogLevel.Info:
                // Shown like Write-Host (what a running seller is doing should be visible without switches), yet
                // still an information record: 6> captures it and -InformationAction Ignore silences it.
                WriteInformation(new HostInformationMessage { Message = message }, ["PSHOST", "ImpVpn"]);
                break;
            case LogLevel.Warning:
                WriteWarning(message);
                break;
        }
    }

    /// <summary>The contract this machine bought under <paramref name="id"/>; null, after writing ImpVpn.TunnelNotFound
    /// for that id, when the store has none.</summary>
    protected ContractRecord? FindBoughtOrReport(ContractStore? store, string id)
    {
        var contract = store is null ? null : Checked(() => store.Find(id));
        if (contract is not null && contract.Role == ContractRole.Buyer)
        {
            return contract;
        }

        WriteError(new ErrorRecord(new ItemNotFoundException($"No tunnel {id} bought from this machine."),
            "ImpVpn.TunnelNotFound", ErrorCategory.ObjectNotFound, id));
        return null;
    }

    /// <summary>The same error about a given pipeline item, so that $Error says which one failed.</summary>
    protected static ErrorRecord WithTarget(ErrorRecord record, object target) =>
        new(record.Exception, record.FullyQualifiedErrorId, record.CategoryInfo.Category, target) { ErrorDetails = record.ErrorDetails };

    /// <summary>The stable error ids and categories of ImpVpn's failures (documented in about_ImpVpn). Anything
    /// unforeseen is still an ErrorRecord: ImpVpn.Unexpected.</summary>
    internal static ErrorRecord ToErrorRecord(Exception e, object? target = null) => e switch
    {
        VpnCmdletException wrapped => wrapped.ErrorRecord,
        PurchaseException p => new ErrorRecord(p, "ImpVpn." + p.Error, p.Error switch
        {
            PurchaseError.PriceAboveMaximum => ErrorCategory.LimitsExceeded,
            PurchaseError.QuoteExpired => ErrorCategory.InvalidOperation,
            PurchaseError.InvoiceMismatch => ErrorCategory.SecurityError,
            PurchaseError.SellerUnreachable => ErrorCategory.ConnectionError,
            PurchaseError.UnknownContract => ErrorCategory.ObjectNotFound,
            PurchaseError.TunnelStillActive or PurchaseError.PaymentUnderWay or PurchaseError.TunnelRemoved => ErrorCategory.InvalidOperation,
            _ => ErrorCategory.InvalidResult,
        }, target),
        CertificateMismatchException => new ErrorRecord(e, "ImpVpn.CertificateMismatch", ErrorCategory.SecurityError, target),
        MacaroonException => new ErrorRecord(e, "ImpVpn.MacaroonRefused", ErrorCategory.AuthenticationError, target),
        NodeUnreachableException => new ErrorRecord(e, "ImpVpn.NodeUnreachable", ErrorCategory.ConnectionError, target),
        NodeNotSyncedException => new ErrorRecord(e, "ImpVpn.NodeNotSynced", ErrorCategory.ResourceUnavailable, target),
        WrongNetworkException => new ErrorRecord(e, "ImpVpn.WrongNetwork", ErrorCategory.InvalidData, target),
        LightningException => new ErrorRecord(e, "ImpVpn.LightningError", ErrorCategory.InvalidResult, target),
        WireGuardPrerequisiteException => new ErrorRecord(e, "ImpVpn.WireGuardPrerequisites", ErrorCategory.NotInstalled, target),
        WireGuardException => new ErrorRecord(e, "ImpVpn.WireGuardError", ErrorCategory.DeviceError, target),
        ProtocolException => new ErrorRecord(e, "ImpVpn.ProtocolError", ErrorCategory.ProtocolError, target),
        ArgumentException or FormatException => new ErrorRecord(e, "ImpVpn.InvalidArgument", ErrorCategory.InvalidArgument, target),
        StoreBusyException => new ErrorRecord(e, "ImpVpn.StoreBusy", ErrorCategory.ResourceBusy, target),
        CorruptContractException => new ErrorRecord(e, "ImpVpn.StoreCorrupt", ErrorCategory.InvalidData, target),
        FileNotFoundException or DirectoryNotFoundException => new ErrorRecord(e, "ImpVpn.FileNotFound", ErrorCategory.ObjectNotFound, target),
        IOException or UnauthorizedAccessException => new ErrorRecord(e, "ImpVpn.StoreError", ErrorCategory.WriteError, target),
        TimeoutException => new ErrorRecord(e, "ImpVpn.Timeout", ErrorCategory.OperationTimeout, target),
        InvalidOperationException => new ErrorRecord(e, "ImpVpn.InvalidOperation", ErrorCategory.InvalidOperation, target),
        _ => new ErrorRecord(e, "ImpVpn.Unexpected", ErrorCategory.NotSpecified, target),
    };
}

/// <summary>Carries an ErrorRecord out of core work so the cmdlet can write it (and go on with the next item) or
/// let it end the command. A RuntimeException, so that when it does escape, PowerShell reports this record — its
/// id and category — rather than wrapping it as an unknown exception.</summary>
public sealed class VpnCmdletException(ErrorRecord record) : RuntimeException(record.Exception.Message, record.Exception, record);
