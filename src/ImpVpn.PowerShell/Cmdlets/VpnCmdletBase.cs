using System.Management.Automation;
using ImpVpn.Core.Buying;
using ImpVpn.Core.Diagnostics;
using ImpVpn.Core.Lightning;
using ImpVpn.Core.Store;
using ImpVpn.Core.WireGuard.Types;
using ImpVpn.PowerShell.Session;

namespace ImpVpn.PowerShell.Cmdlets;

/// <summary>
/// What every ImpVpn cmdlet shares: a CancellationToken cancelled by Ctrl+C (StopProcessing), running core work
/// while relaying its log and progress to PowerShell's streams on the pipeline thread, and turning the core's typed
/// exceptions into ErrorRecords with stable ids and categories. Disposable because it owns that token's source:
/// PowerShell disposes a cmdlet that implements IDisposable once its pipeline has finished.
/// </summary>
public abstract class VpnCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    protected CancellationToken CancelToken => _stop.Token;

    protected override void StopProcessing()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ctrl+C arrived as the pipeline finished and disposed the command: there is nothing left to stop.
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
        }
    }

    /// <summary>A path as the user typed it (relative to the current location, ~, a PSDrive) as the file system's.</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    protected static ILightningNode RequireNode() =>
        VpnSession.Node ?? throw new VpnCmdletException(ErrorRecords.NotConnected());

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
                case ValueTuple<LogLevel, string>(var level, var message):
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

    /// <summary>The contract this machine bought under <paramref name="id"/>; null, after writing ImpVpn.ContractNotFound
    /// for that id, when the store has none.</summary>
    protected BoughtContract? FindBoughtOrReport(BoughtContracts? contracts, string id)
    {
        var contract = contracts is null ? null : Checked(() => contracts.Find(id));
        if (contract is null)
        {
            WriteError(ErrorRecords.From(new ContractNotFoundException(id, contracts?.StoreRoot ?? VpnSession.StorePath ?? ContractStore.DefaultRoot()), id));
        }

        return contract;
    }

    /// <summary>The WireGuard client <paramref name="choose"/> picks (see SessionWireGuard); a machine that cannot do
    /// what is asked ends the command here, before anything is paid or started.</summary>
    protected WireGuardHost? ChooseWireGuard(Func<WireGuardHost?> choose)
    {
        try
        {
            return choose();
        }
        catch (Exception e) when (e is WireGuardException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.From(e));
            return null;
        }
    }

    /// <summary>The same error about a given pipeline item, so that $Error says which one failed.</summary>
    protected static ErrorRecord WithTarget(ErrorRecord record, object target) =>
        new(record.Exception, record.FullyQualifiedErrorId, record.CategoryInfo.Category, target) { ErrorDetails = record.ErrorDetails };

    internal static ErrorRecord ToErrorRecord(Exception e, object? target = null) => ErrorRecords.From(e, target);
}

/// <summary>Carries an ErrorRecord out of core work so the cmdlet can write it (and go on with the next item) or
/// let it end the command. A RuntimeException, so that when it does escape, PowerShell reports this record — its
/// id and category — rather than wrapping it as an unknown exception.</summary>
public sealed class VpnCmdletException(ErrorRecord record) : RuntimeException(record.Exception.Message, record.Exception, record);
