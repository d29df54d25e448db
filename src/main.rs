use clap::Parser;

fn main() {
    let cli = quire::cli::Cli::parse();
    if let Err(e) = quire::cli::run(cli) {
        eprintln!("quire: {e}");
        std::process::exit(e.exit_code());
    }
}
