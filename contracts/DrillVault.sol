// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title DrillVault
/// @notice The target of `firebreak drill`: a vault with two deliberate weaknesses, so
/// that a drill can drain it the way real vaults are drained and measure what the
/// automated response saves. `withdrawAll` is re-entrant (it pays before it zeroes the
/// balance) and whoever holds OPERATOR_ROLE can sweep funds anywhere. The containment
/// is the one a responder has on a real vault: pause it (PAUSER_ROLE), and revoke a
/// compromised operator (GUARDIAN_ROLE administers OPERATOR_ROLE, so the responder's
/// key can revoke an operator without holding DEFAULT_ADMIN_ROLE).
/// @dev VULNERABLE ON PURPOSE. Never deploy it anywhere but a throw-away local chain.
contract DrillVault is AccessControl, Pausable {
    /// @notice May pause the vault. Unpausing needs DEFAULT_ADMIN_ROLE.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May sweep any amount to any address (a migration key).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Administers OPERATOR_ROLE: may revoke (and grant) operators.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Balance of each depositor, in wei.
    mapping(address account => uint256) public balanceOf;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event Swept(address indexed operator, address indexed to, uint256 amount);

    error ZeroAmount();
    error ZeroAddress();
    error NothingToWithdraw();
    error InsufficientFunds(uint256 balance, uint256 amount);
    error TransferFailed();

    constructor(address admin, address guardian, address operator) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, guardian);
        _grantRole(GUARDIAN_ROLE, guardian);
        _setRoleAdmin(OPERATOR_ROLE, GUARDIAN_ROLE);
        _grantRole(OPERATOR_ROLE, operator);
    }

    /// @notice Deposits msg.value for the sender.
    function deposit() external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Withdraws the sender's whole balance.
    /// @dev THE REENTRANCY BUG: the balance is zeroed only after the transfer, so a
    /// contract that calls withdrawAll again from its receive() is paid again.
    function withdrawAll() external whenNotPaused {
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
        balanceOf[msg.sender] = 0;
    }

    /// @notice Moves amount wei of the vault's funds to `to`. Depositors' balances are
    /// not touched: a stolen operator key drains the vault with it.
    function sweep(address to, uint256 amount) external onlyRole(OPERATOR_ROLE) whenNotPaused {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 balance = address(this).balance;
        if (amount > balance) revert InsufficientFunds(balance, amount);
        emit Swept(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Pauses deposit, withdrawAll and sweep.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts the pause; only the admin may.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }
}
