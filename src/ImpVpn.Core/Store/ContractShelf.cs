using System.Text.Json;
using System.Text.Json.Serialization;
using ImpVpn.Core.Files;

namespace ImpVpn.Core.Store;

/// <summary>
/// One folder of contracts of one kind, a JSON file each, each replaced atomically (written owner-only to a
/// temporary file, flushed, renamed over the old one) so a crash at any point leaves the old or the new version,
/// never a torn one. A change costs one file whatever the number of contracts. Finished contracts can be moved to
/// <c>archive/</c>, where they are kept but no longer read with the live ones.
/// </summary>
public sealed class ContractShelf<T>
    where T : class, IStoredContract<T>
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly string _folder;

    internal ContractShelf(string folder)
    {
        _folder = folder;
        OwnerOnlyFile.CreatePrivateFolder(folder);
    }

    private string ArchiveFolder => Path.Combine(_folder, "archive");

    public T Save(T contract)
    {
        var stamped = contract.StampedForWriting(DateTimeOffset.UtcNow);
        OwnerOnlyFile.WriteAllBytes(PathOf(_folder, stamped.Id), JsonSerializer.SerializeToUtf8Bytes(stamped, Json));
        return stamped;
    }

    public T? Find(string id)
    {
        var path = PathOf(_folder, id);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Every live contract; temporary files left by a crash mid-write are ignored. A file that is not a
    /// contract throws <see cref="CorruptContractException"/>, unless <paramref name="onUnreadable"/> is given: then
    /// it is reported there and the others are still returned.</summary>
    public IReadOnlyList<T> All(Action<CorruptContractException>? onUnreadable = null) => ReadFolder(_folder, onUnreadable);

    /// <summary>The archived contracts, read only when someone asks for history.</summary>
    public IReadOnlyList<T> Archived(Action<CorruptContractException>? onUnreadable = null) =>
        Directory.Exists(ArchiveFolder) ? ReadFolder(ArchiveFolder, onUnreadable) : [];

    /// <summary>One archived contract, or null: for a question about a contract no longer live, without reading the
    /// whole archive.</summary>
    public T? FindArchived(string id)
    {
        var path = PathOf(ArchiveFolder, id);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Moves a finished contract out of the live folder, keeping its file as it is.</summary>
    public void Archive(string id)
    {
        OwnerOnlyFile.CreatePrivateFolder(ArchiveFolder);
        File.Move(PathOf(_folder, id), PathOf(ArchiveFolder, id), overwrite: true);
    }

    private static List<T> ReadFolder(string folder, Action<CorruptContractException>? onUnreadable)
    {
        var contracts = new List<T>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                contracts.Add(Read(path));
            }
            catch (CorruptContractException e) when (onUnreadable is not null)
            {
                onUnreadable(e);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // Archived (moved) by the process that owns the folder between listing and reading: it is no longer
                // here, which is what a later listing would say too. Replacing never removes the path (rename over).
            }
        }

        return contracts;
    }

    private static T Read(string path)
    {
        T? contract;
        try
        {
            contract = JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new CorruptContractException(path, e.Message, e);
        }

        if (contract is null)
        {
            throw new CorruptContractException(path, "the file holds null");
        }

        if (contract.SchemaVersion > StoreSchema.Current)
        {
            throw new CorruptContractException(path, $"it was written by a newer ImpVpn (schema {contract.SchemaVersion}; this one reads up to {StoreSchema.Current})");
        }

        return contract;
    }

    private static string PathOf(string folder, string id) =>
        ContractId.IsValid(id)
            ? Path.Combine(folder, id + ".json")
            : throw new ArgumentException($"'{id}' is not a contract id.", nameof(id));
}
