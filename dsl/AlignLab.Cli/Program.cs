// Before anything can reach TorchSharp (AlignLab.Engine's own module initializer would run too late if a script's
// first statement called TorchSharp directly).
AlignLab.Models.Runtime.NativeRuntime.Initialize();
return AlignLab.Cli.CliApp.Invoke(args, Console.Out, Console.Error);
