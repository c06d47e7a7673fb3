# The session's node connection: Connect-VpnNode makes it, Get-VpnNode shows it, Disconnect-VpnNode drops it, and
# the commands that need it then say ImpVpn.NotConnected. Against the simulator; no seller is needed.
BeforeAll {
    Import-Module $env:IMPVPN_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-pester-$([guid]::NewGuid().ToString('N'))")).FullName
    $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd') -Node alice, bob
    $script:Alice = Get-SandboxNode $Sim 'alice'
    $script:Store = Join-Path $Root 'buyer'
}

AfterAll {
    Disconnect-VpnNode -ErrorAction Ignore
    Stop-SandboxProcess $Sim.Process
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe "The session's node connection" {
    BeforeEach {
        # The module's session is the process's: start every test from no connection.
        Disconnect-VpnNode -ErrorAction Ignore
    }

    It 'shows the connected node as the object Connect-VpnNode returned, asked afresh' {
        $connected = Connect-SandboxNode $Sim 'alice' $Store
        $node = Get-VpnNode
        $node | Should -BeOfType ([ImpVpn.PowerShell.Output.VpnNode])
        $connected | Should -BeOfType ([ImpVpn.PowerShell.Output.VpnNode])
        $node.IdentityPubKey | Should -Be $Alice.pubKey
        $node.Network | Should -Be 'regtest'
        $node.SyncedToChain | Should -BeTrue
        $node.BlockHeight | Should -BeGreaterThan 0
        $node.Version | Should -Not -BeNullOrEmpty
        $node.RpcAddress | Should -Be $Alice.rpcAddress
        $node.StorePath | Should -Be $Store
        $node.Alias | Should -Be $connected.Alias
    }

    It 'says ImpVpn.NotConnected, non-terminating and with a remedy, when there is no connection' {
        $node = Get-VpnNode -ErrorVariable failures -ErrorAction SilentlyContinue
        $node | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.NotConnected*'
        $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'Connect-VpnNode'
        { Get-VpnNode -ErrorAction Stop } | Should -Throw -ErrorId 'ImpVpn.NotConnected*'
    }

    It 'disconnects, after which the commands that need the node say ImpVpn.NotConnected; the store stays' {
        Connect-SandboxNode $Sim 'alice' $Store | Out-Null
        Disconnect-VpnNode | Should -BeNullOrEmpty
        { Get-VpnNode -ErrorAction Stop } | Should -Throw -ErrorId 'ImpVpn.NotConnected*'
        { Request-VpnQuote (Get-SandboxNode $Sim 'bob').pubKey -ErrorAction Stop } | Should -Throw -ErrorId 'ImpVpn.NotConnected*'
        { Get-VpnTunnel -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Not -Throw
    }

    It 'writes a non-terminating ImpVpn.NotConnected when there is nothing to disconnect, and nothing with -ErrorAction Ignore' {
        Disconnect-VpnNode -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ImpVpn.NotConnected*'
        { Disconnect-VpnNode -ErrorAction Ignore } | Should -Not -Throw
    }

    It 'keeps the connection with -WhatIf and asks nothing by default (Low impact)' {
        Connect-SandboxNode $Sim 'alice' $Store | Out-Null
        Disconnect-VpnNode -WhatIf
        (Get-VpnNode).IdentityPubKey | Should -Be $Alice.pubKey
        (Get-Command Disconnect-VpnNode).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'Low'
    }

    It 'connects again after a disconnect' {
        Connect-SandboxNode $Sim 'alice' $Store | Out-Null
        Disconnect-VpnNode
        Connect-SandboxNode $Sim 'alice' $Store | Out-Null
        (Get-VpnNode).IdentityPubKey | Should -Be $Alice.pubKey
    }
}
