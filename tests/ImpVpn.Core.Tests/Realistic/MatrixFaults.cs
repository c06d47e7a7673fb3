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
                break;
            case MatrixFault.DelayedMessages:
                _lane.SimNode.CustomMessageDelay = MessageDelay;
                _lane.SimNode.ExtraHopLatency = MessageDelay;
                break;
            case MatrixFault.LostMessages:
                // The seller's next answer after the buyer started paying (to activate, or its "not yet") never arrives.
                AfterPayStarted(() => _network.Simulation[MatrixNetwork.SellerName].LoseNextMessagesTo(_lane.SimNode.Name, 1));
                break;
            case MatrixFault.PeerDroppedMidPurchase:
                AfterPayStarted(() => _lane.SimNode.DropLinkTo(MatrixNetwork.SellerName));
                break;
            case MatrixFault.TlsCertRegenerated:
                AfterPayStarted(() => Strike(_lane.SimNode.RegenerateTlsAsync()));
                break;
            case MatrixFault.SellerRestartedWhileHeld:
                var restarted = 0;
                _network.SellerNode.AfterLookupInvoice = invoice =>
                {
                    // Once, for this lane's payment, at the moment the seller sees it held: the restart runs beside the
                    // seller's own handling, which it cuts off as a crash would.
                    if (invoice is { State: Lightning.InvoiceState.Accepted } && _lane.Owns(Convert.ToHexString(invoice.PaymentHash).ToLowerInvariant())
                        && Interlocked.Exchange(ref restarted, 1) == 0)
                    {
                        Strike(Task.Run(_network.RestartSellerAsync));
                    }
                };
                break;
        }
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
        _lane.SimNode.CustomMessageDelay = TimeSpan.Zero;
        _lane.SimNode.ExtraHopLatency = TimeSpan.Zero;
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
