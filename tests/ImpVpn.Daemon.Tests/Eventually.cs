namespace ImpVpn.Daemon.Tests;

/// <summary>Waits for a condition another process brings about (a peer removed at expiry), bounded: the test fails
/// with <paramref name="what"/> when it never holds, and never depends on how fast it comes.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan wait, string what)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {wait}: {what}.");
            }

            await Task.Delay(200);
        }
    }
}
