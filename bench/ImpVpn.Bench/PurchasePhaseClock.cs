using System.Diagnostics;
using ImpVpn.Core.Diagnostics;

namespace ImpVpn.Bench;

/// <summary>
/// Splits one purchase into consecutive wall-clock phases, from the progress the buyer core reports anyway
/// (the same updates Confirm-VpnContract turns into Write-Progress). The phases do not overlap and add up to
/// the total, unlike per-call timings, which overlap while the payment is held.
/// </summary>
internal sealed class PurchasePhaseClock : IProgressLog
{
    /// <summary>Phase names by the progress percentage the buyer reports as the phase begins.</summary>
    public static readonly IReadOnlyList<(int Percent, string Name)> Phases =
    [
        (0, "quote: Request-VpnQuote's round trip to the seller, then Confirm's node checks"),
        (10, "accept: the seller creates the hold invoice; the buyer decodes, checks and records it"),
        (30, "pay: SendPaymentV2 until the payment is held at the seller"),
        (60, "activate: the seller adds the peer and answers with the tunnel (the payment stays held)"),
        (75, "the buyer's WireGuard interface: create, configure, route"),
        (80, "the buyer's WireGuard interface brought up again (a purchase finished by a later run)"),
        (85, "the check before claiming: first handshake, then an echo through the tunnel"),
        (90, "claim: the buyer reveals the preimage and the seller settles"),
    ];

    private readonly Stopwatch _watch = new();
    private readonly SortedDictionary<int, TimeSpan> _starts = [];

    public void Start()
    {
        lock (_starts)
        {
            _starts.Clear();
            _starts[0] = TimeSpan.Zero;
            _watch.Restart();
        }
    }

    public void Log(LogLevel level, string message)
    {
    }

    public void Progress(ProgressUpdate update)
    {
        lock (_starts)
        {
            _starts.TryAdd(update.PercentComplete, _watch.Elapsed);
        }
    }

    /// <summary>How long each phase took, ending the last one at <paramref name="end"/>.</summary>
    public IReadOnlyDictionary<int, TimeSpan> Durations(TimeSpan end)
    {
        lock (_starts)
        {
            var result = new Dictionary<int, TimeSpan>();
            var starts = _starts.ToList();
            for (var i = 0; i < starts.Count; i++)
            {
                var stop = i + 1 < starts.Count ? starts[i + 1].Value : end;
                result[starts[i].Key] = stop - starts[i].Value;
            }

            return result;
        }
    }
}
