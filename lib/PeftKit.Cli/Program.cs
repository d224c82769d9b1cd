using System.CommandLine;
using PeftKit.Cli.Commands;

// The `kit` command. Each verb lives in Commands/<Verb>Command.cs and is listed here.
var root = new RootCommand("PeftKit: parameter-efficient fine-tuning in C#, with notebooks that teach it.")
{
    DoctorCommand.Create(),
    RunCommand.Create(),
    ExportCommand.Create(),
    DataCommand.Create(),
    PretrainCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
