from prefect_upgrade.cli import main

main()
