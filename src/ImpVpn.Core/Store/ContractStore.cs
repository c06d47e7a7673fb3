using System.Text.Json;
using System.Text.Json.Serialization;
using ImpVpn.Core.Contracts;
using ImpVpn.Core.WireGuard.Export;

namespace ImpVpn.Core.Store;

/// <summary>
/// Contracts on disk, one JSON file per contract, each replaced atomically (written 0600 to a temporary file,
/// flushed, renamed over the old one) so a crash at any point leaves the old or the new version, never a torn one.
/// Chosen over SQLite because it needs no native library inside a PowerShell module, and a seller with thousands of
/// contracts still pays O(1) per change. Folder 0700; private keys in their own 0600 files.
/// </summary>
public sealed class ContractStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public ContractStore(string root)
    {
        Root = root;
        CreatePrivateFolder(root);
        CreatePrivateFolder(ContractsFolder);
        CreatePrivateFolder(KeysFolder);
    }

    public string Root { get; }

    /// <summary>The store at <paramref name="root"/> if one was ever created there, without creating anything:
    /// for read-only callers such as tab completion.</summary>
    public static ContractStore? TryOpenExisting(string root) =>
        Directory.Exists(Path.Combine(root, "contracts")) ? new ContractStore(root) : null;

    private string ContractsFolder => Path.Combine(Root, "contracts");

    private string KeysFolder => Path.Combine(Root, "keys");

    /// <summary>~/.impvpn on Linux and macOS, %LOCALAPPDATA%\ImpVpn on Windows; IMPVPN_HOME overrides.</summary>
    public static string DefaultRoot() =>
        Environment.GetEnvironmentVariable("IMPVPN_HOME") is { Length: > 0 } home
            ? home
            : OperatingSystem.IsWindows()
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ImpVpn")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".impvpn");

    public void Save(ContractRecord contract)
    {
        var stamped = contract with { UpdatedAt = DateTimeOffset.UtcNow };
        SecretFileWriter.WriteAllBytes(ContractPath(contract.Id), JsonSerializer.SerializeToUtf8Bytes(stamped, Json));
    }

    public ContractRecord? Find(string id)
    {
        var path = ContractPath(id);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Every contract; temporary files left by a crash mid-write are ignored. A file that is not a contract
    /// throws <see cref="CorruptContractException"/>, unless <paramref name="onUnreadable"/> is given: then it is
    /// reported there and the others are still returned.</summary>
    public IReadOnlyList<ContractRecord> All(Action<CorruptContractException>? onUnreadable = null)
    {
        var contracts = new List<ContractRecord>();
        foreach (var path in Directory.GetFiles(ContractsFolder, "*.json"))
        {
            try
            {
                contracts.Add(Read(path));
            }
            catch (CorruptContractException e) when (onUnreadable is not null)
            {
                onUnreadable(e);
            }
        }

        return contracts.OrderBy(c => c.CreatedAt).ToList();
    }

    private static ContractRecord Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ContractRecord>(File.ReadAllBytes(path), Json)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new CorruptContractException(path, e);
        }
    }

    public void SaveSecret(string name, string value) => SecretFileWriter.WriteAllText(SecretPath(name), value);

    public string? ReadSecret(string name) => File.Exists(SecretPath(name)) ? File.ReadAllText(SecretPath(name)) : null;

    /// <summary>Deletes a secret file; one that is not there is no error.</summary>
    public void DeleteSecret(string name) => File.Delete(SecretPath(name));

    /// <summary>Takes the store's lock so two processes (a scheduled refresh and an interactive one) never pay
    /// for the same contract at once. Dispose to release. Waits at most <paramref name="wait"/>, then throws
    /// <see cref="StoreBusyException"/>; cancelling stops the wait at once.</summary>
    public async Task<IDisposable> LockAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Root, "store.lock");
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                throw new StoreBusyException(Root, wait);
            }
        }
    }

    private string ContractPath(string id)
    {
        if (id.Length is 0 or > 64 || !id.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"'{id}' is not a contract id.", nameof(id));
        }

        return Path.Combine(ContractsFolder, id + ".json");
    }

    private string SecretPath(string name) => Path.Combine(KeysFolder, name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? name : throw new ArgumentException("bad secret name"));

    private static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
