namespace ImpVpn.Core.Tests.Realistic;

/// <summary>Arms one <see cref="MatrixFault"/> for the lane's next operation and disarms it when disposed. Faults that
/// strike "after the payment started" hang on the buyer's node hook, so they hit the moment a real node would be
/// between paying and hearing back.</summary>
internal sealed class MatrixFaults : IAsyncDisposable
{
    private readonly MatrixNetwork _network;
    private readonly MatrixLane _lane;
    private readonly MatrixFault _fault;
    private readonly List<Task> _struck = [];

    private MatrixFaults(MatrixNetwork network, MatrixLane lane, MatrixFault fault)
    {
        _network = network;
        _lane = lane;
        _fault = fault;
    }

    /// <summary>How long each delayed peer message waits: several times the profile's own latency.</summary>
    public static readonly TimeSpan MessageDelay = TimeSpan.FromMilliseconds(250);

    public static Task<MatrixFaults> ArmAsync(MatrixNetwork network, MatrixLane lane, MatrixFault fault)
    {
        var faults = new MatrixFaults(network, lane, fault);
        faults.Arm();
        return Task.FromResult(faults);
    }

    /// <summary>Whether the fault happened during the run (the tests require it: a fault that never struck proves
    /// nothing). None and DelayedMessages always apply.</summary>
    public bool Struck => _fault switch
    {
        // The payment itself (not the route probe before it) went in three parts, one of which failed and was sent again.
        MatrixFault.PaymentInParts => _paidHash is { } hash
            && _network.Simulation.Network.FindPayment(_lane.SimNode.Name, Convert.FromHexString(hash)) is { } payment
            && _network.Simulation.Network.Read(() => payment.Parts == 3 && payment.FailedAttempts >= 1),
        MatrixFault.LostMessages => _armedLoss && _network.Simulation.Network.MessagesLeftToLose(MatrixNetwork.SellerName, _lane.SimNode.Name) == 0,
        MatrixFault.None or MatrixFault.DelayedMessages => true,
        _ => Volatile.Read(ref _struckOnce) == 1,
    };

    private int _struckOnce;
    private string? _paidHash;
    private volatile bool _armedLoss;

    private void Arm()
    {
        switch (_fault)
        {
            case MatrixFault.None:
                break;
            case MatrixFault.PaymentInParts:
                // Three parts, the first of which fails at the last hop and is sent again: the invoice is ACCEPTED only
                // once the set is complete, while the payment has been IN_FLIGHT all along.
                _lane.SimNode.SplitNextPayment(3);
                _lane.SimNode.FailNextParts(1);
                AfterPayStarted(() => _paidHash = _lane.PaymentBeingMade());
                break;
            case MatrixFault.DelayedMessages:
                _lane.SimNode.CustomMessageDelay = MessageDelay;
                _lane.SimNode.ExtraHopLatency = MessageDelay;
                break;
            case MatrixFault.LostMessages:
                // The seller's next answer after the buyer started paying (to activate, or its "not yet") never arrives.
                AfterPayStarted(() =>
                {
                    _network.Simulation[MatrixNetwork.SellerName].LoseNextMessagesTo(_lane.SimNode.Name, 1);
                    _armedLoss = true;
                });
                break;
            case MatrixFault.PeerDroppedMidPurchase:
                AfterPayStarted(() =>
                {
                    if (_lane.SimNode.DropLinkTo(MatrixNetwork.SellerName))
                    {
                        Interlocked.Exchange(ref _struckOnce, 1);
                    }
                });
                break;
            case MatrixFault.TlsCertRegenerated:
                AfterPayStarted(() => Strike(RegenerateAsync()));
                break;
            case MatrixFault.SellerRestartedWhileHeld:
                // The payment being made is the one the lane recorded last before paying; once the seller's node holds
                // all of it (ACCEPTED) the seller is restarted, before it can settle (it settles only on the claim).
                AfterPayStarted(() => Strike(RestartWhenHeldAsync(_lane.PaymentBeingMade())));
                break;
        }
    }

    private async Task RegenerateAsync()
    {
        await _lane.SimNode.RegenerateTlsAsync();
        Interlocked.Exchange(ref _struckOnce, 1);
    }

    private async Task RestartWhenHeldAsync(string? paymentHash)
    {
        if (paymentHash is null)
        {
            return;
        }

        var network = _network.Simulation.Network;
        var hash = Convert.FromHexString(paymentHash);
        while (true)
        {
            var (state, changed) = network.Read(() => network.LookupInvoice(MatrixNetwork.SellerName, hash) is { } invoice
                ? (invoice.State, invoice.Changed.Task)
                : (ImpVpn.Lnd.Rpc.Lnrpc.Invoice.Types.InvoiceState.Open, Task.Delay(10)));
            if (state == ImpVpn.Lnd.Rpc.Lnrpc.Invoice.Types.InvoiceState.Accepted)
            {
                break;
            }

            if (state is not ImpVpn.Lnd.Rpc.Lnrpc.Invoice.Types.InvoiceState.Open)
            {
                return;
            }

            // A payment that never arrives leaves the invoice open: the fault then does not strike (and the run says so).
            try
            {
                await changed.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                return;
            }
        }

        await _network.RestartSellerAsync();
        Interlocked.Exchange(ref _struckOnce, 1);
    }

    /// <summary>Runs <paramref name="strike"/> once, the moment the buyer's node has been asked to pay.</summary>
    private void AfterPayStarted(Action strike)
    {
        var struck = 0;
        _lane.Node.AfterPayStarted = () =>
        {
            if (Interlocked.Exchange(ref struck, 1) == 0)
            {
                strike();
            }
        };
    }

    /// <summary>A fault that takes time (a restart, a new certificate) runs beside the purchase; disposal waits for it.</summary>
    private void Strike(Task fault)
    {
        lock (_struck)
        {
            _struck.Add(fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Whatever did not strike is disarmed, so the next run meets only its own fault.
        _lane.SimNode.CustomMessageDelay = TimeSpan.Zero;
        _lane.SimNode.ExtraHopLatency = TimeSpan.Zero;
        _lane.SimNode.SplitNextPayment(0);
        _lane.SimNode.FailNextParts(0);
        _network.Simulation[MatrixNetwork.SellerName].LoseNextMessagesTo(_lane.SimNode.Name, 0);
        _network.SellerNode.AfterLookupInvoice = null;
        _lane.Node.AfterPayStarted = null;
        Task[] struck;
        lock (_struck)
        {
            struck = [.. _struck];
        }

        await Task.WhenAll(struck);
    }
}
