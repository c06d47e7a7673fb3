namespace ImpVpn.LndSim.Network;

/// <summary>
/// Custom messages lost on the way with the link staying up: LND queued the message and told its sender it was sent,
/// and the peer never got it (a reset after the write, a peer that crashed before reading). Only the messages from one
/// node to one peer are lost, so a test can make one seller's answers to one buyer vanish while its other buyers are
/// answered.
/// </summary>
public sealed partial class SimNetwork
{
    private readonly Dictionary<(string From, string To), int> _messagesToLose = [];

    /// <summary>The next <paramref name="count"/> custom messages from <paramref name="from"/> to <paramref name="to"/>
    /// are accepted and never delivered.</summary>
    public void LoseNextMessages(string from, string to, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _messagesToLose[(from, to)] = count;
        }
    }

    /// <summary>How many of the messages set to be lost from <paramref name="from"/> to <paramref name="to"/> are still
    /// to come (0 once all were lost).</summary>
    public int MessagesLeftToLose(string from, string to)
    {
        lock (_gate)
        {
            return _messagesToLose.GetValueOrDefault((from, to));
        }
    }

    /// <summary>Called with the lock held, for a message about to be delivered: whether it is lost instead.</summary>
    private bool LosesThisMessage(SimNodeState sender, SimNodeState target)
    {
        if (!_messagesToLose.TryGetValue((sender.Name, target.Name), out var left) || left == 0)
        {
            return false;
        }

        _messagesToLose[(sender.Name, target.Name)] = left - 1;
        return true;
    }
}
