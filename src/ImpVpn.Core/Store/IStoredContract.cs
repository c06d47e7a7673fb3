namespace ImpVpn.Core.Store;

/// <summary>What the store needs of a contract it keeps: a file name, a schema version, and a copy stamped at the
/// moment it is written.</summary>
public interface IStoredContract<out T>
    where T : IStoredContract<T>
{
    string Id { get; }

    /// <summary>The schema the file was written in; null in files of schema 1, which had no such field.</summary>
    int? SchemaVersion { get; }

    /// <summary>This contract as it is written now: <see cref="StoreSchema.Current"/> and the time of writing.</summary>
    T StampedForWriting(DateTimeOffset now);
}

/// <summary>Versions of the store's files. 1: every contract in <c>contracts/</c>, no version field. 2: contracts
/// in a folder per role, each file carrying <c>SchemaVersion</c>; the fields of schema 1 keep their names.</summary>
public static class StoreSchema
{
    public const int Current = 2;
}
