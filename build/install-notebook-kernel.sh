#!/usr/bin/env bash
# Installs the .NET Interactive C# kernel for Jupyter, as AlignLab's notebooks need it:
#   bash build/install-notebook-kernel.sh [KERNELS_DIR]
# 1. installs the Microsoft.dotnet-interactive tool (version below) into AlignLab's cache folder
#    (${ALIGNLAB_CACHE:-~/.cache/alignlab}/dotnet-interactive/VERSION), not as a global tool;
# 2. rolls that tool's FSharp.Core forward to the version in Directory.Packages.props: 1.0.712001, the newest served,
#    ships FSharp.Core 10.0, while Plotly.NET 6 (AlignLab's charts, Plotly.NET.Interactive) needs 10.1 (a compatible
#    minor upgrade of the same assembly);
# 3. registers the kernel ".net-csharp" (the kernelspec the notebooks name) in KERNELS_DIR, by default the user's
#    Jupyter kernels folder (~/.local/share/jupyter/kernels; set JUPYTER_PATH=DIR/.. to use another).
# Idempotent. Jupyter itself comes from Debian: apt-get install jupyter-nbconvert python3-ipykernel.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=1.0.712001
kernels="${1:-${XDG_DATA_HOME:-$HOME/.local/share}/jupyter/kernels}"
tool="${ALIGNLAB_CACHE:-$HOME/.cache/alignlab}/dotnet-interactive/$version"

if [ ! -x "$tool/dotnet-interactive" ]; then
  echo "Installing Microsoft.dotnet-interactive $version into $tool ..."
  dotnet tool install Microsoft.dotnet-interactive --version "$version" --tool-path "$tool" >/dev/null
fi

# FSharp.Core at the solution's version, from the NuGet cache (restored there by a throwaway project if missing).
fsharp_version="$(sed -n 's/.*PackageVersion Include="FSharp.Core" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
fsharp_dll="$packages/fsharp.core/$fsharp_version/lib/netstandard2.1/FSharp.Core.dll"
if [ ! -f "$fsharp_dll" ]; then
  scratch="$(mktemp -d)"
  printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup><PackageReference Include="FSharp.Core" Version="%s" /></ItemGroup></Project>' \
    "$fsharp_version" > "$scratch/fsharp-core.csproj"
  dotnet restore "$scratch/fsharp-core.csproj" >/dev/null
  rm -rf "$scratch"
fi
app="$(dirname "$(find "$tool/.store" -name Microsoft.DotNet.Interactive.App.dll | head -n 1)")"
cmp -s "$fsharp_dll" "$app/FSharp.Core.dll" || cp "$fsharp_dll" "$app/FSharp.Core.dll"

mkdir -p "$kernels/.net-csharp"
cat > "$kernels/.net-csharp/kernel.json" <<JSON
{
  "argv": ["$tool/dotnet-interactive", "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000"],
  "display_name": ".NET (C#)",
  "language": "C#"
}
JSON
echo "Registered the .NET (C#) kernel in $kernels/.net-csharp (dotnet-interactive $version, FSharp.Core $fsharp_version)."
