using ImpVpn.Core.Files;

namespace ImpVpn.Core.Store;

/// <summary>
/// The folder where one user's contracts and secrets live, and nothing but its file mechanics: owner-only folders,
/// atomically replaced files (<see cref="ContractShelf{T}"/>), secret files, and the lock two processes share. What a
/// contract means belongs to the buyer's and the seller's repositories over it.
/// Layout (schema 2): <c>contracts/bought/</c>, <c>contracts/sold/</c> (and <c>contracts/sold/archive/</c>), <c>keys/</c>,
/// <c>store.lock</c>, <c>seller.lock</c>. A store of schema 1 (every contract directly in <c>contracts/</c>) is moved
/// into this layout role by role, as each role's repository opens its shelf (<see cref="StoreMigration"/>).
/// </summary>
public sealed class ContractStore
{
    public ContractStore(string root)
    {
        Root = root;
        OwnerOnlyFile.CreatePrivateFolder(root);
        OwnerOnlyFile.CreatePrivateFolder(ContractsFolder);
        OwnerOnlyFile.CreatePrivateFolder(KeysFolder);
    }

    public string Root { get; }

    internal string ContractsFolder => Path.Combine(Root, "contracts");

    private string KeysFolder => Path.Combine(Root, "keys");

    /// <summary>The store at <paramref name="root"/> if one was ever created there; null, creating nothing, where
    /// none was (for callers that only look, such as Get-VpnTunnel and tab completion).</summary>
    public static ContractStore? TryOpenExisting(string root) =>
        Directory.Exists(Path.Combine(root, "contracts")) ? new ContractStore(root) : null;

    /// <summary>~/.impvpn on Linux and macOS, %LOCALAPPDATA%\ImpVpn on Windows; IMPVPN_HOME overrides.</summary>
    public static string DefaultRoot() =>
        Environment.GetEnvironmentVariable("IMPVPN_HOME") is { Length: > 0 } home
            ? home
            : OperatingSystem.IsWindows()
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ImpVpn")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".impvpn");

    /// <summary>Files directly in <c>contracts/</c> that no role will move into its folder (not readable as a
    /// contract of any role): left untouched, and reported to whoever lists contracts. Schema-1 contracts waiting for
    /// their role to open its shelf are not listed.</summary>
    public IReadOnlyList<CorruptContractException> Leftovers() =>
        Directory.EnumerateFiles(ContractsFolder, "*.json")
            .Where(path => !StoreMigration.IsContractOfSomeRole(path))
            .Select(path => new CorruptContractException(path, "not a contract of a known role"))
            .ToList();

    /// <summary>The contracts of one role, in their own folder under <c>contracts/</c>: <paramref name="role"/> is
    /// the <c>Role</c> its files carry, and that role's files of schema 1 are moved into the folder now.</summary>
    /// <param name="moveSchema1Files">false where this process must not move them yet (a seller's files while no
    /// seller holds the role: an older seller may still be working on them).</param>
    public ContractShelf<T> Shelf<T>(string name, string role, bool moveSchema1Files = true)
        where T : class, IStoredContract<T>
    {
        var folder = Path.Combine(ContractsFolder, name);
        StoreMigration.EnsureFolder(folder);
        if (moveSchema1Files)
        {
            StoreMigration.MoveSchema1Contracts(ContractsFolder, role, folder);
        }

        return new ContractShelf<T>(folder);
    }

    public void SaveSecret(string name, string value) => OwnerOnlyFile.WriteAllText(SecretPath(name), value);

    public string? ReadSecret(string name) => File.Exists(SecretPath(name)) ? File.ReadAllText(SecretPath(name)) : null;

    /// <summary>Deletes a secret file; one that is not there is no error.</summary>
    public void DeleteSecret(string name) => File.Delete(SecretPath(name));

    /// <summary>Where the secret file <paramref name="name"/> is (or would be) kept.</summary>
    public string SecretPath(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') && !name.StartsWith('.')
            ? Path.Combine(KeysFolder, name)
            : throw new ArgumentException($"'{name}' is not a secret file name.", nameof(name));

    /// <summary>The store's lock, held while a process chooses and pays for work, so that two processes (a scheduled
    /// refresh and an interactive purchase) never pay for the same contract. Dispose to release. Waits at most
    /// <paramref name="wait"/>, then throws <see cref="StoreBusyException"/>; cancelling stops the wait at once.</summary>
    public Task<IDisposable> LockAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        FileLock.AcquireAsync(Path.Combine(Root, "store.lock"), Root, wait, cancellationToken);

    /// <summary>A lock held for as long as a process plays one role on this store (one seller per store), taken
    /// without waiting; throws <see cref="StoreBusyException"/> when another process holds it.</summary>
    public IDisposable HoldRole(string role) =>
        FileLock.TryAcquire(Path.Combine(Root, role + ".lock")) ?? throw new StoreBusyException(Root, TimeSpan.Zero, role);
}
