namespace ImpVpn.Core.Tests.Fakes;

/// <summary>A clock a test moves by hand, so that "the contract has just run out" happens exactly when the test says.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
