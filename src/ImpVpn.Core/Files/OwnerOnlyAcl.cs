using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace ImpVpn.Core.Files;

/// <summary>The Windows counterpart of mode 0600/0700: an ACL granting only the current user, SYSTEM and
/// Administrators, with inheritance cut so a permissive parent folder (e.g. ProgramData) cannot widen it.
/// Applied when the file or folder is created, so there is no moment in which others may open it.</summary>
[SupportedOSPlatform("windows")]
internal static class OwnerOnlyAcl
{
    public static FileStream CreateFile(string path) =>
        new FileInfo(path).Create(FileMode.CreateNew, FileSystemRights.Write, FileShare.None, 4096, FileOptions.None, FileSecurity());

    public static void CreateDirectory(string path) => new DirectoryInfo(path).Create(DirectorySecurity());

    private static FileSecurity FileSecurity()
    {
        var security = new FileSecurity();
        Restrict(security, InheritanceFlags.None);
        return security;
    }

    private static DirectorySecurity DirectorySecurity()
    {
        var security = new DirectorySecurity();
        Restrict(security, InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit);
        return security;
    }

    private static void Restrict(FileSystemSecurity security, InheritanceFlags inheritance)
    {
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        var user = WindowsIdentity.GetCurrent().User
            ?? throw new InvalidOperationException("The current Windows identity has no user SID.");
        security.SetOwner(user);
        IdentityReference[] allowed =
        [
            user,
            new SecurityIdentifier(WellKnownSidType.LocalSystemSid, null),
            new SecurityIdentifier(WellKnownSidType.BuiltinAdministratorsSid, null),
        ];
        foreach (var identity in allowed)
        {
            security.AddAccessRule(new FileSystemAccessRule(
                identity, FileSystemRights.FullControl, inheritance, PropagationFlags.None, AccessControlType.Allow));
        }
    }
}
