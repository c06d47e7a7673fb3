# ImpVpn loads gRPC and Protobuf in its own AssemblyLoadContext: a session that already holds another
# Google.Protobuf (here 3.25.1, loaded first, as another module might) can still use ImpVpn, and keeps its own copy.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../tools/ImpVpn.Sandbox.psm1') -Force
    $script:Root = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) "impvpn-alc-$([guid]::NewGuid().ToString('N'))")).FullName
    $script:Sim = Start-SandboxSimulator -Directory (Join-Path $Root 'lnd')
    $cache = ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $script:OldProtobuf = Join-Path $cache 'google.protobuf/3.25.1/lib/net5.0/Google.Protobuf.dll'
}

AfterAll {
    Stop-SandboxProcess $Sim.Process
    Remove-Item $Root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Dependency isolation' {
    It 'works in a session that loaded a different Google.Protobuf first' {
        Test-Path $OldProtobuf | Should -BeTrue -Because 'build.ps1 bootstrap downloads it for this test'
        $node = Get-SandboxNode $Sim 'alice'
        $script = Join-Path $Root 'isolation.ps1'
        @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$OldProtobuf'
`$before = [Google.Protobuf.ByteString].Assembly.GetName().Version.ToString()
Import-Module '$env:IMPVPN_MODULE'
`$info = Connect-VpnNode -RpcAddress '$($node.rpcAddress)' -TlsCertPath '$($node.tlsCertPath)' -MacaroonPath '$($node.macaroonPath)' -Network regtest -StorePath '$Root/store'
`$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Google.Protobuf' } |
    ForEach-Object { '{0}@{1}' -f `$_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name }
[pscustomobject]@{ Before = `$before; Pubkey = `$info.IdentityPubKey; Loaded = @(`$loaded) } | ConvertTo-Json -Compress
"@ | Set-Content $script
        Push-Location $env:IMPVPN_REPO
        try { $output = dotnet tool run pwsh -NoProfile -NonInteractive -File $script 2>&1 }
        finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0 -Because "$output"
        $result = $output | Select-Object -Last 1 | ConvertFrom-Json
        $result.Before | Should -Be '3.25.1.0'
        $result.Pubkey | Should -Be $node.pubKey
        $result.Loaded | Should -Contain '3.25.1.0@Default'
        @($result.Loaded | Where-Object { $_ -like '*@ImpVpn' }).Count | Should -Be 1
    }
}
