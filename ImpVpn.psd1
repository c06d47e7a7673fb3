# ImpVpn module manifest. ModuleVersion below is the project's single version source:
# Directory.Build.props reads it for every assembly, and build.ps1 stamps packages with it.
@{
    RootModule           = 'ImpVpn.PowerShell.dll'
    ModuleVersion        = '0.3.0'
    GUID                 = '6f0f8f5e-2c49-4a51-9d4e-7f3b7f1c2a90'
    Author               = 'The ImpVpn developers'
    CompanyName          = 'ImpVpn'
    Copyright            = '(c) The ImpVpn developers. MIT License.'
    Description          = 'Buy, pay for, refresh and sell encrypted WireGuard tunnels between Lightning Network nodes, paid over Lightning (LND).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ImpVpn.Format.ps1xml')
    TypesToProcess       = @('ImpVpn.Types.ps1xml')
    CmdletsToExport      = @(
        'Connect-VpnNode'
        'Get-VpnNode'
        'Disconnect-VpnNode'
        'Find-VpnProvider'
        'Request-VpnQuote'
        'Confirm-VpnContract'
        'Update-VpnContract'
        'Get-VpnTunnel'
        'Export-VpnTunnelConfig'
        'Remove-VpnTunnel'
        'Start-VpnProvider'
        'Install-VpnDaemon'
        'Start-VpnDaemon'
        'Stop-VpnDaemon'
        'Get-VpnDaemon'
        'Uninstall-VpnDaemon'
        'Get-VpnProvider'
        'Stop-VpnProvider'
        'Get-VpnSoldContract'
        'Get-VpnEarning'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Lightning', 'LND', 'WireGuard', 'VPN', 'Bitcoin', 'Linux', 'Windows')
            ProjectUri   = 'https://example.invalid/impvpn'
            LicenseUri   = 'https://example.invalid/impvpn/LICENSE'
            ReleaseNotes = @'
0.3.0 - the seller as a service: the impvpnd daemon (systemd, Windows service) for selling and scheduled refresh,
a seller that fails closed, the operator's view of what it sold; Get-VpnNode, Disconnect-VpnNode; a seller endpoint
may be a DNS name. See CHANGELOG.md.

0.2.0 - the core split by role, one behaviour per file; two processes never pay for one thing (purchases and
refreshes choose their work under the store's lock); a quote can be confirmed from another process (Export-Clixml);
errors carry RecommendedAction; one error id, ImpVpn.ContractNotFound, for an unknown -Id; the store moves to
schema 2 (contracts per role, finished sales archived) and opens schema-1 stores; macOS is config-only.
Breaking: ImpVpn.TunnelNotFound and ImpVpn.UnknownContract are now ImpVpn.ContractNotFound; VpnTunnel.SellerAddress
is now SellerTunnelAddress and VpnQuote.SellerAddress SellerNodeAddress. See CHANGELOG.md.

0.1.0 - first version.
Buy (Request-VpnQuote | Confirm-VpnContract), refresh (Update-VpnContract, also -ExpiringWithin -TotalBudgetSat for
schedulers), list (Get-VpnTunnel) and sell (Start-VpnProvider) WireGuard tunnels between LND nodes, paid with hold
invoices that the seller settles only after adding your peer. Kernel WireGuard, wireguard-go and WireGuard for
Windows backends; -ConfigOnly for other devices, whose configuration Export-VpnTunnelConfig writes as a wg-quick
file or a QR code for WireGuard's phone apps. Remove-VpnTunnel takes a spent tunnel's interface and key off the machine. Connect-VpnNode takes an LND directory, files or an lndconnect URI.
'@
        }
    }
}
