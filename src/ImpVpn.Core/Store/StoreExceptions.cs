namespace ImpVpn.Core.Store;

/// <summary>Another process holds the store's lock for longer than this one would wait (a purchase or a scheduled
/// refresh paying), or already plays <see cref="Role"/> on it (a seller running).</summary>
public sealed class StoreBusyException(string root, TimeSpan waited, string? role = null)
    : IOException(role is not null
        ? $"Another ImpVpn process is running as the {role} on the contract store at '{root}'."
        : $"The contract store at '{root}' is in use by another ImpVpn process; waited {waited.TotalSeconds:0} s.")
{
    public string Root { get; } = root;

    /// <summary>The role another process holds (such as "seller"); null when it was the store's lock.</summary>
    public string? Role { get; } = role;
}

/// <summary>A contract file that cannot be read as a contract. It is left where it is, untouched, for a person to look at.</summary>
public sealed class CorruptContractException(string path, string reason, Exception? inner = null)
    : Exception($"'{path}' is not a readable ImpVpn contract ({reason}). It was left untouched.", inner)
{
    public string Path { get; } = path;
}
