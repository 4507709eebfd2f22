return AlignLab.Cli.CliApp.Invoke(args, Console.Out, Console.Error);
