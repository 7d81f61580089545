from cfprob.cli import main

if __name__ == "__main__":  # also imported by the child process that compiles model code
    main()
