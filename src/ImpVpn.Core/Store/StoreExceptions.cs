namespace ImpVpn.Core.Store;

/// <summary>Another process (a scheduled refresh, say) holds the store's lock for longer than this one would wait.</summary>
public sealed class StoreBusyException(string root, TimeSpan waited)
    : IOException($"The contract store at '{root}' is in use by another ImpVpn process; waited {waited.TotalSeconds:0} s. Try again when it has finished.");

/// <summary>A contract file that cannot be read as a contract. It is left where it is, untouched, for a person to look at.</summary>
public sealed class CorruptContractException(string path, Exception inner)
    : Exception($"'{path}' is not a readable ImpVpn contract ({inner.Message}). It was left untouched; move it aside if it is not needed.", inner)
{
    public string Path { get; } = path;
}
