namespace ImpVpn.Core.Store;

/// <summary>An exclusive lock between processes: a file opened with no sharing. The operating system drops it when
/// the process dies, so a crashed run never leaves the store locked.</summary>
internal static class FileLock
{
    // Another process usually holds the lock for one purchase or refresh: look again often enough not to add delay
    // that a user would notice, rarely enough to cost nothing.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    public static async Task<IDisposable> AcquireAsync(string path, string storeRoot, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (TryAcquire(path) is { } held)
            {
                return held;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new StoreBusyException(storeRoot, wait);
            }

            await Task.Delay(Pause, cancellationToken).ConfigureAwait(false);
        }
    }

    public static IDisposable? TryAcquire(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }
}
