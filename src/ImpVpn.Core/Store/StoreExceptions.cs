namespace ImpVpn.Core.Store;

/// <summary>Another process (a scheduled refresh, say) holds the store's lock for longer than this one would wait.</summary>
public sealed class StoreBusyException(string root, TimeSpan waited)
    : IOException(waited > TimeSpan.Zero
        ? $"The contract store at '{root}' is in use by another ImpVpn process; waited {waited.TotalSeconds:0} s."
        : $"The contract store at '{root}' is in use by another ImpVpn process.")
{
    public string Root { get; } = root;
}

/// <summary>A contract file that cannot be read as a contract. It is left where it is, untouched, for a person to look at.</summary>
public sealed class CorruptContractException(string path, string reason, Exception? inner = null)
    : Exception($"'{path}' is not a readable ImpVpn contract ({reason}). It was left untouched.", inner)
{
    public string Path { get; } = path;
}
